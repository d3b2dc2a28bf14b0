using ScaleControl.Core.Decisions;
using ScaleControl.Core.Policies;
using ScaleControl.Core.Ports;

namespace ScaleControl.Core.Proposals;

/// <summary>
/// Proposal records for the three reasons one is made: the loop asking (approval), the loop acting (auto) and a
/// person pinning replicas. All are ScaleProposals, so the history of a workload lives in one place; the action
/// label tells them apart.
/// </summary>
public static class ProposalFactory
{
    public const string ActionLabel = "scalecontrol.io/action";

    public enum Action
    {
        Approval,
        Auto,
        Pin,
    }

    /// <summary>A Pending proposal (Approval) or one already approved by the loop itself (Auto).</summary>
    public static ScaleProposal FromDecision(ScalePolicy policy, Decision decision, WorkloadState workload, DateTimeOffset now, Action action)
    {
        var proposal = Label(ProposalLifecycle.Create(policy, decision, workload, now, UniqueName(policy, now)), action);
        return action == Action.Auto ? ProposalLifecycle.ApproveAutomatically(proposal, now, decision.Reason).Proposal : proposal;
    }

    /// <summary>A pin: requested and approved by the operator who asked for it (the role check already happened).</summary>
    public static ScaleProposal ForPin(ScalePolicy policy, WorkloadState workload, int replicas, string user, string reason, DateTimeOffset until, DateTimeOffset now)
    {
        var message = $"pinned at {replicas} until {until:u} by {user}: {reason}";
        var decision = new Decision
        {
            CurrentReplicas = workload.SpecReplicas,
            DesiredReplicas = replicas,
            Direction = replicas > workload.SpecReplicas ? ScaleDirection.Up : replicas < workload.SpecReplicas ? ScaleDirection.Down : ScaleDirection.None,
            Outcome = DecisionOutcome.ApplyNow,
            Reason = message,
            Evidence = new DecisionEvidence { CurrentReplicas = workload.SpecReplicas, ReadyReplicas = workload.ReadyReplicas, BoundBy = "pin" },
        };
        var proposal = Label(ProposalLifecycle.Create(policy, decision, workload, now, UniqueName(policy, now), requestedBy: user), Action.Pin);
        return ProposalLifecycle.Pin(proposal, user, now, message).Proposal;
    }

    public static Action ActionOf(ScaleProposal proposal) =>
        proposal.Metadata.Labels?.GetValueOrDefault(ActionLabel) is { } value && Enum.TryParse<Action>(value, ignoreCase: true, out var a)
            ? a
            : Action.Approval;

    public static WorkloadRef TargetOf(ScaleProposal proposal) =>
        new(proposal.Metadata.Namespace, proposal.Spec.Target.Kind, proposal.Spec.Target.Name);

    public static WorkloadRef TargetOf(ScalePolicy policy) =>
        new(policy.Metadata.Namespace, policy.Spec.Target.Kind, policy.Spec.Target.Name);

    public static DateTimeOffset CreatedAt(ScaleProposal p) =>
        p.Metadata.CreationTimestamp ?? p.Status.History.FirstOrDefault()?.At ?? p.Spec.ExpiresAt;

    private static ScaleProposal Label(ScaleProposal proposal, Action action) => proposal with
    {
        Metadata = proposal.Metadata with
        {
            Labels = new Dictionary<string, string>(proposal.Metadata.Labels ?? new Dictionary<string, string>())
            {
                [ActionLabel] = action.ToString().ToLowerInvariant(),
            },
        },
    };

    /// <summary>Core's time-ordered name plus a short random suffix: two proposals of one policy in the same second (or from two replicas) never collide.</summary>
    private static string UniqueName(ScalePolicy policy, DateTimeOffset now)
    {
        var name = ProposalLifecycle.NewName(policy.Metadata.Name, now);
        return $"{(name.Length > 240 ? name[..240] : name)}-{Random.Shared.Next(0x10000):x4}";
    }
}
