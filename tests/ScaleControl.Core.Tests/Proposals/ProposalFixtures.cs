using ScaleControl.Core.Decisions;
using ScaleControl.Core.Policies;
using ScaleControl.Core.Ports;
using ScaleControl.Core.Proposals;

namespace ScaleControl.Core.Tests.Proposals;

internal static class ProposalFixtures
{
    public static readonly DateTimeOffset T0 = new(2026, 11, 25, 10, 0, 0, TimeSpan.Zero);

    public static ScalePolicy Policy(int required = 1, bool allowHalfStep = true, string[]? approvers = null) =>
        TestPolicies.WithSpec(TestPolicies.Approval(approvers ?? ["alice", "bob", "chen"]), s => s with
        {
            Approval = s.Approval! with
            {
                RequiredApprovals = required,
                AllowHalfStep = allowHalfStep,
                ExpirySeconds = 600,
                Escalation = new EscalationSpec { AfterSeconds = 120 },
            },
        });

    public static Decision Decision(int from = 20, int to = 60, bool twoPersons = false) => new()
    {
        CurrentReplicas = from,
        DesiredReplicas = to,
        Direction = to > from ? ScaleDirection.Up : ScaleDirection.Down,
        Outcome = DecisionOutcome.Propose,
        Reason = $"qps 30k; 500/pod -> {to}",
        Evidence = new DecisionEvidence { CurrentReplicas = from, ReadyReplicas = from },
        AlternativeReplicas = from + ((to - from) / 2),
        RequiresTwoPersons = twoPersons,
    };

    /// <summary>The loop's default status refresh period (the latest decision's age is bounded by it).</summary>
    public static readonly TimeSpan StatusRefresh = TimeSpan.FromSeconds(60);

    /// <summary><paramref name="policy"/> with its latest decision on its status, as the loop writes it.</summary>
    public static ScalePolicy Evaluated(ScalePolicy policy, int current = 20, int desired = 60, DateTimeOffset? at = null) =>
        policy with { Status = new ScalePolicyStatus { LastEvaluationTime = at ?? T0, CurrentReplicas = current, DesiredReplicas = desired } };

    /// <summary><paramref name="policy"/> with a latest decision held at <paramref name="current"/> by <paramref name="heldBy"/>, kept from <paramref name="unheld"/>.</summary>
    public static ScalePolicy Held(ScalePolicy policy, string heldBy, int current = 20, int? unheld = null, DateTimeOffset? at = null) =>
        policy with { Status = new ScalePolicyStatus { LastEvaluationTime = at ?? T0, CurrentReplicas = current, DesiredReplicas = current, HeldBy = heldBy, UnheldReplicas = unheld } };

    public static WorkloadState Workload(int replicas = 20) =>
        new(new WorkloadRef("shop", "Deployment", "checkout-api"), replicas, replicas, "42", null, null, null);

    public static ScaleProposal Pending(ScalePolicy? policy = null, Decision? decision = null, string requestedBy = ProposalLifecycle.SystemUser) =>
        ProposalLifecycle.Create(policy ?? Policy(), decision ?? Decision(), Workload(), T0, requestedBy: requestedBy);

    /// <summary>An undo of the applied 20 → 60 by alice, applied (back to 20).</summary>
    public static ScaleProposal AppliedUndo() => new()
    {
        Metadata = new ObjectMeta { Namespace = "shop", Name = "checkout-api-undo" },
        Spec = new ScaleProposalSpec { FromReplicas = 60, ToReplicas = 20, RequestedBy = "alice" },
        Status = new ScaleProposalStatus
        {
            Phase = ProposalPhase.Applied,
            AppliedReplicas = 20,
            Approvals = [new ApprovalRecord { User = "alice", Channel = ApprovalChannel.DingTalk, Replicas = 20 }],
        },
    };

    public static ScaleProposal InPhase(ProposalPhase phase)
    {
        var p = Pending();
        var at = T0.AddSeconds(10);
        ScaleProposal Step(TransitionResult r) => r.Accepted ? r.Proposal : throw new InvalidOperationException(r.Message);
        return phase switch
        {
            ProposalPhase.Pending => p,
            ProposalPhase.Approved => Step(ProposalLifecycle.Approve(p, "alice", ApprovalChannel.DingTalk, at)),
            ProposalPhase.Applying => Step(ProposalLifecycle.StartApplying(InPhase(ProposalPhase.Approved), at)),
            ProposalPhase.Applied => Step(ProposalLifecycle.MarkApplied(InPhase(ProposalPhase.Applying), 60, at)),
            ProposalPhase.Rejected => Step(ProposalLifecycle.Reject(p, "bob", ApprovalChannel.Cli, at, "not now")),
            ProposalPhase.Expired => Step(ProposalLifecycle.Expire(p, T0.AddSeconds(600))),
            ProposalPhase.Superseded => Step(ProposalLifecycle.Supersede(p, "checkout-api-newer", at)),
            ProposalPhase.Failed => Step(ProposalLifecycle.MarkFailed(InPhase(ProposalPhase.Applying), "conflict", at)),
            _ => throw new ArgumentOutOfRangeException(nameof(phase)),
        };
    }
}
