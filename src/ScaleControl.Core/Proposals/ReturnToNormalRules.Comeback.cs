using ScaleControl.Core.Decisions;
using ScaleControl.Core.Policies;
using ScaleControl.Core.Ports;

namespace ScaleControl.Core.Proposals;

/// <summary>What the loop does to a pending return to normal the demand came back over: amend its target up to <see cref="AmendTo"/>, or withdraw it (null).</summary>
public sealed record ReturnComeback(int? AmendTo, string Why);

public static partial class ReturnToNormalRules
{
    /// <summary>
    /// Keeps a pending return to normal honest while it waits: it was proposed on a quiet demand, and an approver's tap
    /// applies its target, so traffic that comes back part way (the demand now needs more than the target, less than
    /// runs) moves the target up to the need, on the same card; traffic back at the running count or above leaves no way
    /// back, and the proposal is withdrawn (a rise beyond the running count's tolerance never gets here: the scale-up it
    /// asks for supersedes the return). Null while the target still fits: the demand the quiet rule measures
    /// (<see cref="DemandOf"/>) at or under the target plus the tolerance (the same band a refused target holds by), so
    /// noise around the pre-event count moves nothing; and while the demand is not known (fail static: nothing is
    /// amended on a guess). Only ever up, and at most once per <see cref="ProposalRules.AmendInterval"/> (the card's
    /// numbers move in steps people can read): a tap within that interval, or before the loop's next evaluation, still
    /// applies the target on the card.
    /// </summary>
    public static ReturnComeback? Comeback(ScalePolicy policy, ScaleProposal pending, in Decision decision, WorkloadState workload, DateTimeOffset now)
    {
        if (pending.Status.Phase != ProposalPhase.Pending || !IsReturn(pending) || DemandOf(decision) is not { } demand)
        {
            return null;
        }

        var target = pending.Spec.ToReplicas;
        if (demand <= ProposalRules.FitsUpTo(pending.Spec, policy.Spec.Tolerance))
        {
            return null;
        }

        var running = workload.SpecReplicas;
        var came = $"the demand came back to {demand} replicas";
        if (demand >= running)
        {
            return new ReturnComeback(null, $"{came}, at or above the running {running}: no way back for now");
        }

        if (pending.Spec.FromReplicas != running)
        {
            return new ReturnComeback(null, $"{came}, above the {target} proposed, and the workload runs {running} now, not the {pending.Spec.FromReplicas} the way back started from");
        }

        var to = Math.Min(demand, policy.Spec.MaxReplicas);
        return to <= target || now - ProposalRules.LastChange(pending) < ProposalRules.AmendInterval
            ? null
            : new ReturnComeback(to, $"return to normal: {running} → {to}; {came} at {Clock(now)}, above the {target} proposed before");
    }
}
