using ScaleControl.Core.Decisions;
using ScaleControl.Core.Policies;
using ScaleControl.Core.Ports;
using ScaleControl.Core.Proposals;
using ScaleControl.Server.Security;
using ScaleControl.Server.Tests.Infrastructure;
using ScaleControl.Server.Control.Loop;

namespace ScaleControl.Server.Tests.Security;

/// <summary>
/// Writing a ScaleProposal (or its status) by hand grants no approval power: the leader applies only approvals
/// ScaleControl signed, for people on the policy's roster, and records why it refused. A record it did not write fails
/// the proposal; genuine approvals that no longer count send it back to wait for another, until it expires.
/// </summary>
public sealed class ApprovalIntegrityTests : IDisposable
{
    private readonly ServerFactory _server = new();

    public void Dispose() => _server.Dispose();

    [Theory]
    [InlineData("mallory")]
    [InlineData("zhangsan")]
    public async Task Tick_HandWrittenApprovedStatus_RefusedWithReason_WorkloadUntouched(string user)
    {
        var forged = await ForgedAsync(p => Approved(p, new ApprovalRecord { User = user, Channel = ApprovalChannel.DingTalk, At = _server.Time.GetUtcNow(), Replicas = 35 }));

        await _server.Service<Reconciler>().TickAsync(default);

        var after = await _server.Proposals.GetAsync("shop", forged.Metadata.Name, default);
        Assert.Equal(ProposalPhase.Failed, after!.Status.Phase);
        Assert.Contains("was not recorded by ScaleControl", after.Status.Message, StringComparison.Ordinal);
        Assert.Equal(11, _server.Workloads.Replicas("shop", "checkout-api"));
        Assert.Contains(_server.Events.Recorded, e => e.Reason == ScaleEventReasons.ScaleFailed && e.Message.Contains("not recorded by ScaleControl", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Tick_SignedApprovalByUserNoLongerOnRoster_NotApplied_WaitsForAnotherApproval()
    {
        var signer = _server.Service<ApprovalSigner>();
        var forged = await ForgedAsync(p => signer.SignFor(Approved(p, new ApprovalRecord { User = "mallory", Channel = ApprovalChannel.Api, At = _server.Time.GetUtcNow(), Replicas = 35 }), "mallory"));

        await _server.Service<Reconciler>().TickAsync(default);

        var after = await _server.Proposals.GetAsync("shop", forged.Metadata.Name, default);
        Assert.Equal(ProposalPhase.Pending, after!.Status.Phase);
        Assert.Equal("not applied: 0 of 1 approval (mallory is no longer an approver), one more needed", after.Status.Message);
        Assert.Equal("mallory", Assert.Single(after.Status.Approvals).User); // on the record, not counted
        Assert.Equal(11, _server.Workloads.Replicas("shop", "checkout-api"));
        Assert.Contains(_server.Events.Recorded, e => e.Reason == ScaleEventReasons.ScaleAwaitingApproval);
    }

    [Fact]
    public async Task Tick_SignedApprovalByUserNoLongerOnRoster_AfterExpiry_Failed()
    {
        var signer = _server.Service<ApprovalSigner>();
        var forged = await ForgedAsync(p => signer.SignFor(Approved(p, new ApprovalRecord { User = "mallory", Channel = ApprovalChannel.Api, At = _server.Time.GetUtcNow().AddSeconds(601), Replicas = 35 }), "mallory"));
        _server.Time.Advance(TimeSpan.FromSeconds(601)); // past the proposal's expiry: it cannot wait any more

        await _server.Service<Reconciler>().TickAsync(default);

        var after = await _server.Proposals.GetAsync("shop", forged.Metadata.Name, default);
        Assert.Equal(ProposalPhase.Failed, after!.Status.Phase);
        Assert.Contains("0 of 1 approval (mallory is no longer an approver), one more needed; not applied", after.Status.Message, StringComparison.Ordinal);
        Assert.Equal(11, _server.Workloads.Replicas("shop", "checkout-api"));
    }

    [Fact]
    public async Task Tick_SignedApprovalCopiedOntoABiggerStep_Refused()
    {
        var signer = _server.Service<ApprovalSigner>();
        var genuine = signer.SignFor(Approved(Proposal(toReplicas: 12), new ApprovalRecord { User = "zhangsan", Channel = ApprovalChannel.Api, At = _server.Time.GetUtcNow(), Replicas = 12 }), "zhangsan");
        var forged = await ForgedAsync(p => p with { Status = genuine.Status });

        await _server.Service<Reconciler>().TickAsync(default);

        Assert.Equal(ProposalPhase.Failed, (await _server.Proposals.GetAsync("shop", forged.Metadata.Name, default))!.Status.Phase);
        Assert.Equal(11, _server.Workloads.Replicas("shop", "checkout-api"));
    }

    [Fact]
    public async Task Tick_SignedApprovalOlderThanTheMaximumAge_NotApplied_WaitsForAnotherApproval()
    {
        var signer = _server.Service<ApprovalSigner>();
        var old = _server.Time.GetUtcNow().AddMinutes(-20);
        var stale = await ForgedAsync(p => signer.SignFor(Approved(p, new ApprovalRecord { User = "zhangsan", Channel = ApprovalChannel.Api, At = old, Replicas = 35 }), "zhangsan"));

        await _server.Service<Reconciler>().TickAsync(default);

        var after = await _server.Proposals.GetAsync("shop", stale.Metadata.Name, default);
        Assert.Equal(ProposalPhase.Pending, after!.Status.Phase);
        Assert.Equal("not applied: 0 of 1 approval (zhangsan's approval is too old to count), one more needed", after.Status.Message);
        Assert.Equal(11, _server.Workloads.Replicas("shop", "checkout-api"));
    }

    [Fact]
    public async Task Tick_SignedApprovalByRosterUser_Applies()
    {
        var signer = _server.Service<ApprovalSigner>();
        var genuine = await ForgedAsync(p => signer.SignFor(Approved(p, new ApprovalRecord { User = "zhangsan", Channel = ApprovalChannel.Api, At = _server.Time.GetUtcNow(), Replicas = 35 }), "zhangsan"));

        await _server.Service<Reconciler>().TickAsync(default);

        Assert.Equal(ProposalPhase.Applied, (await _server.Proposals.GetAsync("shop", genuine.Metadata.Name, default))!.Status.Phase);
        Assert.Equal(35, _server.Workloads.Replicas("shop", "checkout-api"));
    }

    [Fact]
    public async Task Tick_HandWrittenLowApprovalBesideARecordedOne_DoesNotSizeTheStep_TheRecordedOneApplies()
    {
        var signer = _server.Service<ApprovalSigner>();
        var genuine = await ForgedAsync(p => signer.SignFor(Approved(p, new ApprovalRecord { User = "zhangsan", Channel = ApprovalChannel.Api, At = _server.Time.GetUtcNow(), Replicas = 35 }), "zhangsan"));
        // Someone who may edit ScaleProposal status adds a "more cautious" approval in lisi's name: 12 instead of 35.
        var low = new ApprovalRecord { User = "lisi", Channel = ApprovalChannel.DingTalk, At = _server.Time.GetUtcNow(), Replicas = 12 };
        await _server.Proposals.UpdateAsync(genuine with { Status = genuine.Status with { Approvals = [.. genuine.Status.Approvals, low] } }, default);

        await _server.Service<Reconciler>().TickAsync(default);

        var applied = (await _server.Proposals.GetAsync("shop", genuine.Metadata.Name, default))!;
        Assert.Equal(ProposalPhase.Applied, applied.Status.Phase);
        Assert.Equal(35, _server.Workloads.Replicas("shop", "checkout-api"));
        Assert.Contains(applied.Status.History, h => h.Message == "scaling 11 → 35");
    }

    [Fact]
    public async Task Tick_SignedApprovalOfAFailedApply_StatusRewoundToApproved_AfterTheFreezeEnded_NotAppliedAgain()
    {
        var signer = _server.Service<ApprovalSigner>();
        var genuine = await ForgedAsync(p => signer.SignFor(Approved(p, new ApprovalRecord { User = "zhangsan", Channel = ApprovalChannel.Api, At = _server.Time.GetUtcNow(), Replicas = 35 }), "zhangsan"));
        var policy = (await _server.Policies.GetAsync("shop", "checkout-api", default))!;
        await _server.Policies.UpsertAsync(policy with { Spec = policy.Spec with { Freeze = new FreezeSpec { Until = _server.Time.GetUtcNow().AddMinutes(2), Reason = "gala" } } }, default);
        await _server.Service<Reconciler>().TickAsync(default);
        var failed = (await _server.Proposals.GetAsync("shop", genuine.Metadata.Name, default))!;
        Assert.Equal(ProposalPhase.Failed, failed.Status.Phase);

        _server.Time.Advance(TimeSpan.FromMinutes(3)); // the freeze is over; the approval is 3 minutes old, young enough to count
        await _server.Proposals.UpdateAsync(failed with { Status = failed.Status with { Phase = ProposalPhase.Approved } }, default);
        await _server.Service<Reconciler>().TickAsync(default);

        var after = (await _server.Proposals.GetAsync("shop", genuine.Metadata.Name, default))!;
        Assert.Equal(ProposalPhase.Failed, after.Status.Phase);
        Assert.Contains("the approval by zhangsan was used by an apply already", after.Status.Message, StringComparison.Ordinal);
        Assert.Equal(11, _server.Workloads.Replicas("shop", "checkout-api"));
    }

    private async Task<ScaleProposal> ForgedAsync(Func<ScaleProposal, ScaleProposal> status)
    {
        _server.Workloads.Add("shop", "checkout-api", 11);
        await _server.Policies.UpsertAsync(TestPolicies.Approval(), default);
        _server.Metrics.Set(TestPolicies.Query("checkout-api"), 1100);
        var created = await _server.Proposals.CreateAsync(Proposal(toReplicas: 35), default);
        return await _server.Proposals.UpdateAsync(status(created), default);
    }

    private ScaleProposal Proposal(int toReplicas)
    {
        var decision = new Decision { CurrentReplicas = 11, DesiredReplicas = toReplicas, Direction = ScaleDirection.Up, Outcome = DecisionOutcome.Propose, Reason = "forged", Evidence = new DecisionEvidence() };
        return ProposalLifecycle.Create(TestPolicies.Approval(), decision, new WorkloadState(new WorkloadRef("shop", "Deployment", "checkout-api"), 11, 11, "1", null, null, null), _server.Time.GetUtcNow(), "checkout-api-forged");
    }

    private ScaleProposal Approved(ScaleProposal p, ApprovalRecord approval) => p with
    {
        Status = p.Status with { Phase = ProposalPhase.Approved, Approvals = [approval], Message = $"approved by {approval.User}" },
    };
}
