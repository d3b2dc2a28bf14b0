using ScaleControl.Core.Proposals;
using static ScaleControl.Core.Tests.Proposals.ProposalFixtures;

namespace ScaleControl.Core.Tests.Proposals;

/// <summary>Every operation from every phase: the legal ones move to the named phase, all others are refused.</summary>
public class ProposalTransitionTableTests
{
    private static readonly Dictionary<string, Func<ScaleProposal, TransitionResult>> s_operations = new()
    {
        ["approve"] = p => ProposalLifecycle.Approve(p, "chen", ApprovalChannel.DingTalk, T0.AddSeconds(20)),
        ["approveAuto"] = p => ProposalLifecycle.ApproveAutomatically(p, T0.AddSeconds(20)),
        ["pin"] = p => ProposalLifecycle.Pin(p, "dana", T0.AddSeconds(20), "pinned at 60 by dana: gala"),
        ["reject"] = p => ProposalLifecycle.Reject(p, "chen", ApprovalChannel.Api, T0.AddSeconds(20), "too big"),
        ["expire"] = p => ProposalLifecycle.Expire(p, T0.AddSeconds(601)),
        ["supersede"] = p => ProposalLifecycle.Supersede(p, "checkout-api-next", T0.AddSeconds(20)),
        ["withdraw"] = p => ProposalLifecycle.Withdraw(p, "the latest decision wants no scale-up: desired 20 = running 20", T0.AddSeconds(20)),
        ["startApplying"] = p => ProposalLifecycle.StartApplying(p, T0.AddSeconds(20)),
        ["resumeApplying"] = p => ProposalLifecycle.ResumeApplying(p, T0.AddSeconds(600), TimeSpan.FromSeconds(30)),
        ["interruptApplying"] = p => ProposalLifecycle.InterruptApplying(p, T0.AddSeconds(20), "could not re-read the policy: 500"),
        ["markApplied"] = p => ProposalLifecycle.MarkApplied(p, 60, T0.AddSeconds(20)),
        ["markFailed"] = p => ProposalLifecycle.MarkFailed(p, "scale write failed: 500", T0.AddSeconds(20)),
        ["awaitApprovals"] = p => ProposalLifecycle.AwaitApprovals(p, new ApprovalTally { Counted = 1, Required = 2 }, T0.AddSeconds(20)),
        ["markUndone"] = p => ProposalLifecycle.MarkUndone(p, AppliedUndo(), T0.AddSeconds(20)),
        ["withdrawUndo"] = p => ProposalLifecycle.WithdrawUndo(p, new UndoWithdrawal { Cause = UndoWithdrawalCause.WorkloadMoved, Replicas = 64, Message = "moved to 64" }, T0.AddSeconds(20)),
    };

    // (from, operation) → phase after; missing pairs are illegal.
    private static readonly Dictionary<(ProposalPhase, string), ProposalPhase> s_legal = new()
    {
        [(ProposalPhase.Pending, "approve")] = ProposalPhase.Approved,
        [(ProposalPhase.Pending, "approveAuto")] = ProposalPhase.Approved,
        [(ProposalPhase.Pending, "pin")] = ProposalPhase.Approved,
        [(ProposalPhase.Pending, "reject")] = ProposalPhase.Rejected,
        [(ProposalPhase.Pending, "expire")] = ProposalPhase.Expired,
        [(ProposalPhase.Pending, "supersede")] = ProposalPhase.Superseded,
        [(ProposalPhase.Pending, "withdraw")] = ProposalPhase.Superseded,
        [(ProposalPhase.Approved, "startApplying")] = ProposalPhase.Applying,
        [(ProposalPhase.Approved, "markFailed")] = ProposalPhase.Failed,
        [(ProposalPhase.Applying, "resumeApplying")] = ProposalPhase.Applying,
        [(ProposalPhase.Applying, "interruptApplying")] = ProposalPhase.Applying,
        [(ProposalPhase.Applying, "markApplied")] = ProposalPhase.Applied,
        [(ProposalPhase.Approved, "awaitApprovals")] = ProposalPhase.Pending,
        [(ProposalPhase.Applying, "markFailed")] = ProposalPhase.Failed,
        [(ProposalPhase.Applying, "awaitApprovals")] = ProposalPhase.Pending,
        [(ProposalPhase.Applied, "markUndone")] = ProposalPhase.Applied,
        [(ProposalPhase.Applied, "withdrawUndo")] = ProposalPhase.Applied,
    };

    [Fact]
    public void LosingARaceToAnotherDecision_TheRefusalNamesWhoDecided()
    {
        var approved = ProposalLifecycle.Approve(Pending(Policy()), "chen", ApprovalChannel.DingTalk, T0.AddSeconds(20)).Proposal;
        var rejected = ProposalLifecycle.Reject(Pending(Policy()), "alice", ApprovalChannel.Api, T0.AddSeconds(20), "not now").Proposal;

        Assert.Equal("cannot reject: the proposal is already Approved (approved by chen)",
            ProposalLifecycle.Reject(approved, "alice", ApprovalChannel.Api, T0.AddSeconds(21), "too big").Message);
        Assert.Equal("cannot approve: the proposal is already Rejected (rejected by alice)",
            ProposalLifecycle.Approve(rejected, "chen", ApprovalChannel.DingTalk, T0.AddSeconds(21)).Message);
        Assert.Equal("cannot approve: the proposal is already Expired",
            ProposalLifecycle.Approve(ProposalLifecycle.Expire(Pending(Policy()), T0.AddSeconds(601)).Proposal, "chen", ApprovalChannel.DingTalk, T0.AddSeconds(602)).Message);
    }

    public static TheoryData<ProposalPhase, string> AllPairs()
    {
        var data = new TheoryData<ProposalPhase, string>();
        foreach (var phase in Enum.GetValues<ProposalPhase>())
        {
            foreach (var op in s_operations.Keys)
            {
                data.Add(phase, op);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(AllPairs))]
    public void Transition_FromEveryPhase_LegalMovesIllegalRefusedWithReason(ProposalPhase from, string operation)
    {
        var before = InPhase(from);
        Assert.Equal(from, before.Status.Phase);

        var result = s_operations[operation](before);

        if (s_legal.TryGetValue((from, operation), out var to))
        {
            Assert.Equal(TransitionStatus.Accepted, result.Status);
            Assert.Equal(to, result.Proposal.Status.Phase);
            var last = result.Proposal.Status.History[^1];
            Assert.Equal((from, to), (last.From, last.To));
            Assert.False(string.IsNullOrWhiteSpace(last.Message));
        }
        else
        {
            Assert.Equal(TransitionStatus.Refused, result.Status);
            Assert.Same(before, result.Proposal);
            Assert.Contains(from.ToString(), result.Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Table_CoversEveryPhase() =>
        Assert.Equal(8, Enum.GetValues<ProposalPhase>().Length);

    [Fact]
    public void IsFinal_OnlyForEndPhases()
    {
        var finals = Enum.GetValues<ProposalPhase>().Where(ProposalLifecycle.IsFinal);
        Assert.Equal([ProposalPhase.Applied, ProposalPhase.Rejected, ProposalPhase.Expired, ProposalPhase.Superseded, ProposalPhase.Failed], finals);
    }
}
