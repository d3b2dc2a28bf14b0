using System.Net.Http.Json;
using System.Text.Json;
using ScaleControl.Core.Policies;
using ScaleControl.Core.Ports;
using ScaleControl.Core.Proposals;
using ScaleControl.Server.Control.Actuation;
using ScaleControl.Server.Tests.Infrastructure;

namespace ScaleControl.Server.Tests.Control;

/// <summary>
/// The policy edited (or its status written by hand) while a scale-up waits on its card: an approver's tap (sent by the
/// DingTalk emulator over Stream, real HTTP through the real adapter) is judged by the policy as it is now — the
/// workload it governs, its roster, the approvals it asks for — and by a decision the loop could have made, not by the
/// card as it was sent. A tap that falls short of the approvals the policy asks for now is recorded and the card asks
/// for another approval; the proposal does not fail. One fake clock for the server and the emulator.
/// </summary>
public sealed class PolicyEditedWhilePendingTests : ServerWithDingTalk
{
    [Fact]
    public async Task PolicyRetargetedToAnotherWorkload_ApproverTaps_OldWorkloadNotScaled_ProposalWithdrawn()
    {
        var (pending, outTrackId) = await GivenPendingCardAsync(); // checkout-api 4 → 10
        Server.Workloads.Add("shop", "search-api", 2);
        await EditPolicyAsync(spec => spec with { Target = new TargetRef { Kind = TargetRef.DeploymentKind, Name = "search-api" } });
        // No tick since: the next one withdraws it untapped (UngovernedProposalTests). The status still says 4 → 10, a
        // scale-up: the decision would let it through, the target does not.

        var (status, tap) = await Emulator.TapAsync(outTrackId, "lisi", "approve");
        await Server.Service<BackgroundApplies>().StopAsync(default);

        Assert.Equal(200, status);
        Assert.Equal(
            "Not applied: no longer needed, policy checkout-api now governs Deployment/search-api, not Deployment/checkout-api. The proposal is withdrawn.",
            PrivateLine(tap));
        Assert.Equal(4, Server.Workloads.Replicas("shop", "checkout-api"));
        Assert.DoesNotContain(Server.Workloads.Writes, w => w.Target.Name == "checkout-api");
        Assert.Equal(ProposalPhase.Superseded, (await StoredAsync(pending)).Status.Phase);
    }

    [Fact]
    public async Task TapperDroppedFromTheRoster_Taps_RefusedProposalStillWaits_ApproverStillListedApplies()
    {
        var (pending, outTrackId) = await GivenPendingCardAsync();
        await EditPolicyAsync(spec => spec with { Approval = spec.Approval! with { Approvers = ["zhangsan"] } });
        await Tick(seconds: 5);

        var (_, tap) = await Emulator.TapAsync(outTrackId, "lisi", "approve");
        await Server.Service<BackgroundApplies>().StopAsync(default);

        Assert.Equal("Not applied: lisi is no longer an approver of policy checkout-api (approvers: zhangsan). The proposal still waits.", PrivateLine(tap));
        var stored = await StoredAsync(pending);
        Assert.Equal(ProposalPhase.Pending, stored.Status.Phase);
        Assert.Empty(stored.Status.Approvals);
        Assert.Equal(4, Server.Workloads.Replicas("shop", "checkout-api"));

        await Emulator.TapAsync(outTrackId, "zhangsan", "approve");
        await Server.Service<BackgroundApplies>().StopAsync(default);

        Assert.Equal(ProposalPhase.Applied, (await StoredAsync(pending)).Status.Phase);
        Assert.Equal(10, Server.Workloads.Replicas("shop", "checkout-api"));
    }

    [Fact]
    public async Task TapperDroppedFromTheRoster_TapsReject_RefusedProposalStillWaits_ApproverStillListedApplies()
    {
        // Live: an approver removed from the roster could still reject the card, which closed it and held the policy's
        // next ask for the reject back-off (30 minutes) in the middle of a storm.
        var (pending, outTrackId) = await GivenPendingCardAsync();
        await EditPolicyAsync(spec => spec with { Approval = spec.Approval! with { Approvers = ["zhangsan"] } });
        await Tick(seconds: 5);

        var (_, tap) = await Emulator.TapAsync(outTrackId, "lisi", "reject");

        Assert.Equal("Not rejected: lisi is no longer an approver of policy checkout-api (approvers: zhangsan). The proposal still waits.", PrivateLine(tap));
        var stored = await StoredAsync(pending);
        Assert.Equal(ProposalPhase.Pending, stored.Status.Phase);
        Assert.Null(stored.Status.Rejection);

        await ApproveAsync(outTrackId, "zhangsan");

        await AssertAppliedOnceAsync(pending);
    }

    [Fact]
    public async Task ApproverAddedToTheRosterWhilePending_Taps_Applies()
    {
        // Live: the rota changed in a storm (an approver added); the new approver's tap on the card already sent answered
        // "wangwu is not an approver of this proposal", so the card waited for its expiry though the applier counts him.
        var (pending, outTrackId) = await GivenPendingCardAsync();
        await EditPolicyAsync(spec => spec with { Approval = spec.Approval! with { Approvers = ["zhangsan", "lisi", "wangwu"] } });
        await Tick(seconds: 5);

        var tap = await ApproveAsync(outTrackId, "wangwu");

        Assert.Equal("Recorded: approved by wangwu (10 replicas); scaling now", PrivateLine(tap));
        var applied = await AssertAppliedOnceAsync(pending);
        var approval = Assert.Single(applied.Status.Approvals);
        Assert.Equal(("wangwu", ApprovalChannel.DingTalk), (approval.User, approval.Channel)); // who and through which channel
    }

    [Fact]
    public async Task MaxReplicasLoweredBelowTheTarget_ApproverTaps_RefusedNotScalingNow_ProposalStillWaits()
    {
        // Live: the tap answered "approved (10 replicas); scaling now", then the apply failed on the new bounds.
        var (pending, outTrackId) = await GivenPendingCardAsync(); // 4 → 10
        await EditPolicyAsync(spec => spec with { MaxReplicas = 8 }); // no tick since: the card still asks 10

        var tap = await ApproveAsync(outTrackId, "lisi");

        Assert.Equal("Not applied: 10 is outside the policy's 2..8 now (changed since the card was sent). The proposal still waits.", PrivateLine(tap));
        var stored = await StoredAsync(pending);
        Assert.Equal(ProposalPhase.Pending, stored.Status.Phase);
        Assert.Empty(stored.Status.Approvals);
        Assert.Empty(Server.Workloads.Writes);

        // The next evaluation asks within the bounds on the same card (live, the card kept asking 15 under a max of 10
        // for the scale-down window), and an approval of that applies.
        await Tick(seconds: 5);
        Assert.Equal(8, (await StoredAsync(pending)).Spec.ToReplicas);
        var again = await ApproveAsync(outTrackId, "lisi");
        Assert.Equal("Recorded: approved by lisi (8 replicas); scaling now", PrivateLine(again));
        Assert.Equal(8, Server.Workloads.Replicas("shop", "checkout-api"));
    }

    [Fact]
    public async Task TapperDroppedFromTheRoster_ThisReplicasCacheStalled_NotScaled_BackToPending_ApproverStillListedApplies()
    {
        var (pending, outTrackId) = await GivenPendingCardAsync();
        Server.Policies.StallCache(); // this replica's watch stopped following: the tap reads the old roster
        await EditPolicyAsync(spec => spec with { Approval = spec.Approval! with { Approvers = ["zhangsan"] } });

        // The applier's last check reads the policy from the API server: lisi's approval does not count there.
        var stored = await LisiApprovesAndNothingIsScaledAsync(pending, outTrackId);

        Assert.Equal(ProposalPhase.Pending, stored.Status.Phase);
        Assert.Equal("not applied: 0 of 1 approval (lisi is no longer an approver), one more needed", stored.Status.Message);
        Assert.Equal("Waiting for approval: 0 of 1 approval (Li Si is no longer an approver), one more needed; expires 10:10:00 UTC", await StatusTextAsync(outTrackId));
        Assert.Contains(Server.Events.Recorded, e => e.Reason == ScaleEventReasons.ScaleAwaitingApproval && e.Message.Contains("lisi is no longer an approver", StringComparison.Ordinal));

        await ApproveAsync(outTrackId, "zhangsan");

        await AssertAppliedOnceAsync(pending);
    }

    [Fact]
    public async Task RequiredApprovalsRaisedWhilePending_OneApproverTaps_CardAsksForAnother_SecondApproverApplies()
    {
        var (pending, outTrackId) = await GivenPendingCardAsync(); // asked when one approval was enough
        await EditPolicyAsync(spec => spec with { Approval = spec.Approval! with { RequiredApprovals = 2 } });
        await Tick(seconds: 5);
        var sent = await Emulator.CardAsync(outTrackId);

        var tap = await ApproveAsync(outTrackId, "lisi");

        Assert.Equal("Recorded: approval by lisi recorded; 1 of 2 approvals, one more needed", PrivateLine(tap));
        var waiting = await StoredAsync(pending);
        Assert.Equal(ProposalPhase.Pending, waiting.Status.Phase);
        var recorded = Assert.Single(waiting.Status.Approvals);
        Assert.Equal(("lisi", ApprovalChannel.DingTalk), (recorded.User, recorded.Channel)); // who and through which channel
        Assert.Empty(Server.Workloads.Writes);
        await AssertUpdatedInPlaceAsync(sent, "Waiting for approval: 1 of 2 approvals, one more needed; expires 10:10:00 UTC");

        await ApproveAsync(outTrackId, "zhangsan");

        await AssertAppliedOnceAsync(pending);
    }

    [Fact]
    public async Task TwoPersonRule_FirstApproverDroppedFromTheRoster_SecondTaps_CardAsksForAnother_ThirdApproverApplies()
    {
        var (pending, outTrackId) = await GivenPendingCardAsync(approval => approval with
        {
            Approvers = ["zhangsan", "lisi", "wangwu"],
            TwoPersonRule = new TwoPersonRule { AboveReplicas = 10 },
        });
        Assert.True(pending.Spec.RequiresTwoPersons);
        await Emulator.TapAsync(outTrackId, "zhangsan", "approve");
        await EditPolicyAsync(spec => spec with { Approval = spec.Approval! with { Approvers = ["lisi", "wangwu"] } });
        await Tick(seconds: 5);
        var sent = await Emulator.CardAsync(outTrackId);

        var tap = await ApproveAsync(outTrackId, "lisi");

        Assert.Equal("Recorded: approval by lisi recorded; 1 of 2 approvals (zhangsan is no longer an approver), one more needed", PrivateLine(tap));
        var waiting = await StoredAsync(pending);
        Assert.Equal(ProposalPhase.Pending, waiting.Status.Phase);
        Assert.Equal(["zhangsan", "lisi"], waiting.Status.Approvals.Select(a => a.User)); // both taps stay on the record
        Assert.Empty(Server.Workloads.Writes);
        await AssertUpdatedInPlaceAsync(sent, "Waiting for approval: 1 of 2 approvals (Zhang San is no longer an approver), one more needed; expires 10:10:00 UTC");

        await ApproveAsync(outTrackId, "wangwu");

        var applied = await AssertAppliedOnceAsync(pending);
        Assert.Equal(["zhangsan", "lisi", "wangwu"], applied.Status.Approvals.Select(a => a.User));
    }

    [Fact]
    public async Task FrozenBeforeTheLoopEvaluatedAgain_ApproverTaps_NotScaled_ProposalStillWaits()
    {
        var (pending, outTrackId) = await GivenPendingCardAsync();
        var until = Server.Time.GetUtcNow().AddMinutes(30);
        await EditPolicyAsync(spec => spec with { Freeze = new FreezeSpec { Until = until, Reason = "incident", By = "zhangsan" } }); // no tick since

        var (_, tap) = await Emulator.TapAsync(outTrackId, "lisi", "approve");
        await Server.Service<BackgroundApplies>().StopAsync(default);

        Assert.Equal($"Not applied: the policy is frozen until {until:u} (incident). The proposal still waits.", PrivateLine(tap));
        Assert.Equal(4, Server.Workloads.Replicas("shop", "checkout-api"));
        var stored = await StoredAsync(pending);
        Assert.Equal(ProposalPhase.Pending, stored.Status.Phase);
        Assert.Empty(stored.Status.Approvals);
    }

    [Fact]
    public async Task StatusDatedInTheFuture_LoopStopped_ApproverTaps_RefusedFailStatic()
    {
        var (pending, outTrackId) = await GivenPendingCardAsync(expiry: 1800);
        // Written by hand (kubectl edit --subresource=status): a decision "made" a day ahead, which never goes stale.
        var policy = (await Server.Policies.GetAsync("shop", "checkout-api", default))!;
        await Server.Policies.UpdateStatusAsync(policy with { Status = policy.Status! with { LastEvaluationTime = Server.Time.GetUtcNow().AddDays(1) } }, default);
        Server.Time.Advance(TimeSpan.FromSeconds(600)); // no tick: the loop has stopped evaluating

        var (_, tap) = await Emulator.TapAsync(outTrackId, "lisi", "approve");
        await Server.Service<BackgroundApplies>().StopAsync(default);

        Assert.Matches(@"^Not applied: cannot confirm it is still needed: the policy's latest decision is dated \d{4}-\d\d-\d\d 10:00:00 UTC, 85800 s ahead of now \(no control loop wrote it\); not applied\. The proposal still waits\.$", PrivateLine(tap));
        Assert.Equal(4, Server.Workloads.Replicas("shop", "checkout-api"));
        Assert.Equal(ProposalPhase.Pending, (await StoredAsync(pending)).Status.Phase);
    }

    /// <summary>lisi taps Approve and the apply it may start ends: the workload was not written; the proposal as stored.</summary>
    private async Task<ScaleProposal> LisiApprovesAndNothingIsScaledAsync(ScaleProposal pending, string outTrackId)
    {
        await Emulator.TapAsync(outTrackId, "lisi", "approve");
        await Server.Service<BackgroundApplies>().StopAsync(default);
        Assert.Equal(4, Server.Workloads.Replicas("shop", "checkout-api"));
        Assert.Empty(Server.Workloads.Writes);
        return await StoredAsync(pending);
    }

    /// <summary><paramref name="user"/> taps Approve and the apply it may start ends; the tap's answer.</summary>
    private async Task<JsonElement> ApproveAsync(string outTrackId, string user)
    {
        var (_, tap) = await Emulator.TapAsync(outTrackId, user, "approve");
        await Server.Service<BackgroundApplies>().StopAsync(default);
        return tap;
    }

    /// <summary>Applied 4 → 10 with one scale write (never twice); the proposal as stored.</summary>
    private async Task<ScaleProposal> AssertAppliedOnceAsync(ScaleProposal pending)
    {
        var applied = await StoredAsync(pending);
        Assert.Equal(ProposalPhase.Applied, applied.Status.Phase);
        Assert.Equal(10, Server.Workloads.Replicas("shop", "checkout-api"));
        Assert.Single(Server.Workloads.Writes);
        return applied;
    }

    /// <summary>The card was updated, not sent again: the same card (the only one), a newer version, showing <paramref name="statusText"/>.</summary>
    private async Task AssertUpdatedInPlaceAsync(JsonElement sent, string statusText)
    {
        var outTrackId = sent.GetProperty("outTrackId").GetString()!;
        var card = await Emulator.CardAsync(outTrackId);
        Assert.True(card.GetProperty("version").GetInt32() > sent.GetProperty("version").GetInt32());
        Assert.Equal(statusText, await StatusTextAsync(outTrackId));
        Assert.Single((await Emulator.Script.GetFromJsonAsync<JsonElement[]>("cards"))!);
    }

    private async Task<string?> StatusTextAsync(string outTrackId) =>
        (await Emulator.CardAsync(outTrackId)).GetProperty("cardData").GetProperty("statusText").GetString();
}
