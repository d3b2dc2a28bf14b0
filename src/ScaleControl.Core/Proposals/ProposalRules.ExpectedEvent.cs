using ScaleControl.Core.Decisions;
using ScaleControl.Core.Policies;

namespace ScaleControl.Core.Proposals;

/// <summary>
/// A scale-up raised for an expected event's floor (<c>scalectl prepare</c>) against the event as it is now on the
/// policy. The policy's status keeps the decision the floor made until the loop evaluates again, so the latest decision
/// cannot tell that the event was cancelled (<c>scalectl unprepare</c>) or changed: the spec can, and the tap and the
/// applier read it.
/// </summary>
public static partial class ProposalRules
{
    /// <summary>
    /// Why a scale-up the loop raised for an expected event's floor no longer stands: the event is no longer on the
    /// policy, its floor does not cover <paramref name="now"/> (prepared again for another time, or over), or it asks
    /// for fewer replicas than the proposal now. Null while the event still asks for at least the proposal's count, and
    /// for a proposal no event's floor set (a scale-down, a pin, an undo, one written by hand).
    /// </summary>
    public static string? EventNoLongerAsks(ScaleProposal proposal, ScalePolicySpec spec, DateTimeOffset now)
    {
        if (!RaisedByTheLoop(proposal)
            || proposal.Spec.ToReplicas <= proposal.Spec.FromReplicas
            || ExpectedEventFloor.EventOf(proposal.Spec.Evidence?.BoundBy) is not { } name)
        {
            return null;
        }

        var expected = spec.ExpectedEvents.FirstOrDefault(e => e?.Name == name);
        if (expected is null)
        {
            return $"the expected event {name} it was raised for is no longer on the policy (cancelled)";
        }

        if (now < expected.FloorStart() || now >= expected.FloorEnd())
        {
            return $"the expected event {name} it was raised for holds no floor now (its floor runs {expected.FloorStart():u} to {expected.FloorEnd():u})";
        }

        return expected.Replicas < proposal.Spec.ToReplicas
            ? $"the expected event {name} it was raised for now asks for {expected.Replicas} replicas, not {proposal.Spec.ToReplicas}"
            : null;
    }

    /// <summary>
    /// Why a scale-down the loop raised (a step down, a return to normal) no longer stands: an expected event's floor
    /// now asks for more than it would leave — prepared since the loop last evaluated, which its status cannot say yet.
    /// Null otherwise, and for a scale-up, a pin or an undo (a person's explicit count, which a floor does not hold up).
    /// </summary>
    public static string? BelowEventFloor(ScaleProposal proposal, ScalePolicySpec spec, DateTimeOffset now) =>
        LoopScaleDown(proposal) ? Below(proposal, ExpectedEventFloor.Active(spec, now)) : null;

    /// <summary>A scale-down the loop raised (a step down, a return to normal): not a pin or an undo, which a floor does not hold up.</summary>
    private static bool LoopScaleDown(ScaleProposal proposal) =>
        RaisedByTheLoop(proposal) && proposal.Spec.ToReplicas < proposal.Spec.FromReplicas;

    /// <summary>Why <paramref name="proposal"/> would leave fewer replicas than <paramref name="floor"/> asks; null when it would not.</summary>
    private static string? Below(ScaleProposal proposal, Floor? floor) =>
        floor is { } asked && asked.Replicas > proposal.Spec.ToReplicas
            ? $"{asked.Reason}: more than the {proposal.Spec.ToReplicas} it would leave"
            : null;

    /// <summary>Made by the loop from its decision (asked of the approvers or applied by itself), as labelled by <see cref="ProposalFactory.FromDecision"/>.</summary>
    private static bool RaisedByTheLoop(ScaleProposal proposal) =>
        LabelledAs(proposal, ProposalFactory.Action.Approval, ProposalFactory.Action.Auto);
}
