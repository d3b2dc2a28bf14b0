using ScaleControl.Core.Policies;
using ScaleControl.Core.Proposals;
using ScaleControl.Server.Control.Actuation;
using ScaleControl.Server.Tests.Infrastructure;

namespace ScaleControl.Server.Tests.Control;

/// <summary>
/// A pending scale-up while the policy's latest decision is held at the running count: a hold is "cannot tell" or "not
/// now", not "no longer needed". Held for missing metrics, an approver's tap (sent by the DingTalk emulator over Stream,
/// real HTTP through the real adapter) applies nothing and the card keeps waiting; held by a cooldown while the demand
/// still asks for the scale-up, the approval applies. One fake clock for the server and the emulator.
/// </summary>
public sealed class HeldApprovalCardTests : ServerWithDingTalk
{
    [Fact]
    public async Task MetricsMissing_ApproverTaps_RefusedFailStatic_CardStaysPending_LoopDoesNotWithdrawIt()
    {
        var (pending, outTrackId) = await GivenPendingCardAsync(TestPolicies.Approval(expiry: 1800), replicas: 4); // 4 → 10
        Server.Metrics.Down = "connection refused"; // Prometheus does not answer
        await Tick(seconds: 5); // 10:00:05: fail static, held at 4

        var held = (await Server.Policies.GetAsync("shop", "checkout-api", default))!.Status!;
        Assert.Equal((4, "failStatic", (int?)null), (held.DesiredReplicas, held.HeldBy, held.UnheldReplicas));

        var (status, tap) = await Emulator.TapAsync(outTrackId, "lisi", "approve");

        Assert.Equal(200, status);
        Assert.Equal(
            "Not applied: cannot confirm it is still needed: the policy's metrics are missing or stale, so its latest decision holds at the running 4 (fail static, evaluated 10:00:05 UTC); not applied. The proposal still waits.",
            PrivateLine(tap));
        Assert.Equal(4, Server.Workloads.Replicas("shop", "checkout-api"));
        Assert.Empty(Server.Workloads.Writes);
        Assert.Equal(ProposalPhase.Pending, (await PhaseAsync(pending)).Phase);
        Assert.NotEmpty(await Emulator.ButtonsAsync(outTrackId));

        for (var i = 0; i < 61; i++)
        {
            await Tick(seconds: 5); // 10:00:10 … 10:05:10: held throughout, longer than the scale-down window
        }

        Assert.Equal(ProposalPhase.Pending, (await PhaseAsync(pending)).Phase);

        Server.Metrics.Down = null;
        Server.Metrics.Set(TestPolicies.Query("checkout-api"), 400); // back, and what 4 pods serve: the first "no change"
        await Tick(seconds: 5);

        Assert.Equal(ProposalPhase.Pending, (await PhaseAsync(pending)).Phase); // the held minutes were no "no change"
    }

    [Fact]
    public async Task HybridStepInCooldown_DemandStillThere_ApproverTaps_Applied()
    {
        // Hybrid: +2 at once (4 → 6), the rest asked for (6 → 10); the scale-up cooldown then holds the decision at 6.
        var hybrid = TestPolicies.Approval(expiry: 1800) with
        {
            Spec = TestPolicies.Approval().Spec with
            {
                Mode = ScaleMode.Hybrid,
                AutoApproveMaxStep = new StepLimit { Pods = 2 },
                Behavior = TestPolicies.Approval().Spec.Behavior with
                {
                    ScaleUp = TestPolicies.Approval().Spec.Behavior.ScaleUp with { CooldownSeconds = 120 },
                },
            },
        };
        var (pending, outTrackId) = await GivenPendingCardAsync(hybrid, replicas: 4);
        Assert.Equal((6, 10), (pending.Spec.FromReplicas, pending.Spec.ToReplicas));
        await Tick(seconds: 5); // 10:00:05: 1000 qps still asks for 10, the cooldown holds at 6

        var held = (await Server.Policies.GetAsync("shop", "checkout-api", default))!.Status!;
        Assert.Equal((6, 6, "cooldown", (int?)10), (held.CurrentReplicas, held.DesiredReplicas, held.HeldBy, held.UnheldReplicas));

        var (status, tap) = await Emulator.TapAsync(outTrackId, "lisi", "approve");
        await Server.Service<BackgroundApplies>().StopAsync(default); // the tap is answered before its apply ends: wait for it

        Assert.Equal(200, status);
        Assert.DoesNotContain("Not applied", PrivateLine(tap), StringComparison.Ordinal);
        var (phase, approvals) = await PhaseAsync(pending);
        Assert.Equal((ProposalPhase.Applied, "lisi"), (phase, Assert.Single(approvals).User));
        Assert.Equal(10, Server.Workloads.Replicas("shop", "checkout-api"));
    }

    /// <summary>A scale-up to 10 (1000 qps, 100 per pod) decided at 10:00:00 and waiting for approval, its card in the emulator's group.</summary>
    private async Task<(ScaleProposal Pending, string OutTrackId)> GivenPendingCardAsync(ScalePolicy policy, int replicas)
    {
        Server.Workloads.Add("shop", "checkout-api", replicas);
        await Server.Policies.UpsertAsync(policy, default);
        Server.Metrics.Set(TestPolicies.Query("checkout-api"), 1000);
        await Tick();
        var pending = Assert.Single(await Server.Proposals.ListAsync("shop", default), p => p.Status.Phase == ProposalPhase.Pending);
        Assert.Equal(10, pending.Spec.ToReplicas);
        await Emulator.WaitForStreamAsync();
        return (pending, pending.Status.Card!.OutTrackId);
    }

    private async Task<(ProposalPhase Phase, IReadOnlyList<ApprovalRecord> Approvals)> PhaseAsync(ScaleProposal proposal)
    {
        var stored = (await Server.Proposals.GetAsync("shop", proposal.Metadata.Name, default))!;
        return (stored.Status.Phase, stored.Status.Approvals);
    }
}
