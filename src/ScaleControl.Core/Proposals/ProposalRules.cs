using ScaleControl.Core.Decisions;
using ScaleControl.Core.Policies;
using ScaleControl.Core.Ports;

namespace ScaleControl.Core.Proposals;

/// <summary>
/// The rules a proposal is held to after it was made: whether it still stands against a newer decision, and whether
/// the change still holds when it is applied. The engine reads freeze and pin through the same functions, so what
/// the loop decides and what the applier re-checks cannot drift apart.
/// </summary>
public static class ProposalRules
{
    /// <summary>One key per workload: at most one proposal is open per key.</summary>
    public static string TargetKey(WorkloadRef target) => $"{target.Namespace}/{target.Kind}/{target.Name}";

    /// <summary>The freeze in force at <paramref name="now"/>, if any.</summary>
    public static FreezeSpec? ActiveFreeze(ScalePolicySpec spec, DateTimeOffset now) =>
        spec.Freeze is { } freeze && freeze.Until > now ? freeze : null;

    /// <summary>The pin in force at <paramref name="now"/>, if any.</summary>
    public static PinSpec? ActivePin(ScalePolicySpec spec, DateTimeOffset now) =>
        spec.Pin is { } pin && pin.Until > now ? pin : null;

    /// <summary>A pending proposal stands while it still starts where the workload is and asks for about the same (the tolerance rule).</summary>
    public static bool Differs(ScalePolicy policy, ScaleProposal open, Decision decision, WorkloadState workload) =>
        open.Spec.FromReplicas != workload.SpecReplicas || ProposalLifecycle.ShouldSupersede(open, decision, policy.Spec.Tolerance);

    /// <summary>Null when scaling to <paramref name="replicas"/> still makes sense against the workload as it is now; otherwise why not.</summary>
    public static string? StillHolds(ScaleProposal proposal, ScalePolicy? policy, WorkloadState state, int replicas, DateTimeOffset now)
    {
        if (policy is null)
        {
            return $"policy {proposal.Metadata.Namespace}/{proposal.Spec.PolicyName} no longer exists";
        }

        if (ProposalFactory.ActionOf(proposal) == ProposalFactory.Action.Pin)
        {
            return null;
        }

        if (ActiveFreeze(policy.Spec, now) is { } freeze)
        {
            return $"policy is frozen until {freeze.Until:u} ({freeze.Reason})";
        }

        if (ActivePin(policy.Spec, now) is { } pin)
        {
            return $"replicas are pinned at {pin.Replicas} until {pin.Until:u}";
        }

        if (replicas < policy.Spec.MinReplicas || replicas > policy.Spec.MaxReplicas)
        {
            return $"{replicas} is outside the policy's {policy.Spec.MinReplicas}..{policy.Spec.MaxReplicas}";
        }

        var proposed = Math.Sign(proposal.Spec.ToReplicas - proposal.Spec.FromReplicas);
        var remaining = Math.Sign(replicas - state.SpecReplicas);
        return remaining != 0 && proposed != 0 && remaining != proposed
            ? $"the workload is at {state.SpecReplicas} now (proposed from {proposal.Spec.FromReplicas}); scaling to {replicas} would go the other way"
            : null;
    }
}
