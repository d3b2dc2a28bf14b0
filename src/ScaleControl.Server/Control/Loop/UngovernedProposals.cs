using ScaleControl.Core.Policies;
using ScaleControl.Core.Proposals;
using ScaleControl.Server.Control.Actuation;

namespace ScaleControl.Server.Control.Loop;

/// <summary>
/// Each tick, withdraws the pending proposals whose policy no longer governs them (<see cref="ProposalRules.Ungoverned"/>:
/// deleted, pointed at another workload, or held off the workload by an older policy). The loop looks at each policy's
/// current target only, so without this such a card waited in the on-call group, approvable-looking, until someone
/// tapped it (the tap withdraws it by the same rule) or it expired. A proposal its policy still governs is left to the
/// rest of the tick (supersede, amend, the steady "no change" withdrawal), and a held decision (missing metrics, a
/// freeze) is no reason at all. Cards are updated in place at the end of the tick.
/// </summary>
public sealed class UngovernedProposals(ProposalWithdrawals withdrawals)
{
    /// <param name="policies">Every policy, by key (<c>namespace/name</c>), as the tick listed them.</param>
    /// <param name="held">The policies an older one holds off their workload, with that owner (<see cref="TargetOwnership.Held"/>).</param>
    public async Task WithdrawAsync(
        ProposalBoard board, IReadOnlyDictionary<string, ScalePolicy> policies, IReadOnlyDictionary<string, ScalePolicy> held, CancellationToken cancellationToken)
    {
        foreach (var pending in board.Listed.Where(p => p.Status.Phase == ProposalPhase.Pending).ToList())
        {
            var policy = policies.GetValueOrDefault($"{pending.Metadata.Namespace}/{pending.Spec.PolicyName}");
            var owner = policy is null ? null : held.GetValueOrDefault(policy.Key);
            if (ProposalRules.Ungoverned(pending, policy, owner) is { } why
                && await withdrawals.WithdrawAsync(pending, why, "by the control loop", cancellationToken) is { } withdrawn)
            {
                board.Closed(withdrawn);
            }
        }
    }
}
