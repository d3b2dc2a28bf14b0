using ScaleControl.Core.Capacity;
using ScaleControl.Core.Proposals;
using static ScaleControl.Core.Tests.Proposals.ProposalFixtures;

namespace ScaleControl.Core.Tests.Proposals;

/// <summary>After Approve half the record keeps what was applied and what it costs beside the whole ask's estimate.</summary>
public class AppliedCostTests
{
    private static readonly CapacityEstimate s_ask = new() { Pods = 40, MilliCpu = 20_000, MemoryBytes = 40L << 30, CostPerHour = 56m, Currency = "¥", Room = RoomVerdict.Fits };

    private static ScaleProposal AppliedAt(int replicas)
    {
        var pending = Pending() is var p ? p with { Spec = p.Spec with { Capacity = s_ask } } : null!; // 20 → 60, half 40
        var approved = ProposalLifecycle.Approve(pending, "alice", ApprovalChannel.DingTalk, T0.AddSeconds(5), replicas).Proposal;
        var applying = ProposalLifecycle.StartApplying(approved, T0.AddSeconds(6)).Proposal;
        return ProposalLifecycle.MarkApplied(applying, replicas, T0.AddSeconds(7)).Proposal;
    }

    [Fact]
    public void MarkApplied_ApprovedHalf_RecordsTheAppliedShare_TheAskStaysTheSpecs()
    {
        var half = AppliedAt(40);

        Assert.Equal(ProposalPhase.Applied, half.Status.Phase);
        Assert.Equal("+20 pods · +10 CPU, +20 GiB · ≈ ¥28.00/h", half.Status.AppliedCapacity?.ChangeText);
        Assert.Equal("+40 pods · +20 CPU, +40 GiB · ≈ ¥56.00/h", half.Spec.Capacity?.ChangeText);
        Assert.Same(half.Status.AppliedCapacity, AppliedCost.Of(half));
    }

    [Fact]
    public void MarkApplied_TheWholeAsk_RecordsNoSeparateShare()
    {
        Assert.Null(AppliedAt(60).Status.AppliedCapacity);
        Assert.Null(AppliedCost.Of(AppliedAt(60)));
    }
}
