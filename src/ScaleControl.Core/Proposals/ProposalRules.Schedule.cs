using ScaleControl.Core.Decisions;
using ScaleControl.Core.Policies;

namespace ScaleControl.Core.Proposals;

/// <summary>
/// A waiting proposal the loop raised, against the policy's schedules as they are now. The policy's status keeps the
/// decision until the loop evaluates again, so it cannot tell that a schedule was removed, added, changed, or that its
/// window closed or opened since: the spec and the clock can, and the tap and the applier read them.
/// </summary>
public static partial class ProposalRules
{
    /// <summary>
    /// Why a scale-up the loop raised for a schedule's floor no longer stands: the schedule is no longer on the policy,
    /// its window is not open at <paramref name="now"/>, or it asks for fewer replicas than the proposal now. Null while
    /// it still asks for at least the proposal's count, and for a proposal no schedule's floor set (a scale-down, a pin,
    /// an undo, one written by hand).
    /// </summary>
    public static string? ScheduleNoLongerAsks(ScaleProposal proposal, ScalePolicySpec spec, DateTimeOffset now)
    {
        if (!RaisedByTheLoop(proposal)
            || proposal.Spec.ToReplicas <= proposal.Spec.FromReplicas
            || ScheduleFloor.ScheduleOf(proposal.Spec.Evidence?.BoundBy) is not { } name)
        {
            return null;
        }

        var schedule = spec.Schedules.FirstOrDefault(s => s?.Name == name);
        if (schedule is null)
        {
            return $"the schedule {name} it was raised for is no longer on the policy";
        }

        if (!ScheduleCalendar.IsActive(schedule, now, out _))
        {
            return $"the schedule {name} it was raised for is not open now";
        }

        var replicas = ScheduleFloor.ReplicasOf(schedule, spec);
        return replicas < proposal.Spec.ToReplicas
            ? $"the schedule {name} it was raised for now asks for {replicas} replicas, not {proposal.Spec.ToReplicas}"
            : null;
    }

    /// <summary>
    /// Why a scale-down the loop raised (a step down, a return to normal) no longer stands: an open schedule's floor now
    /// asks for more than it would leave — added, raised or opened since the loop last evaluated, which its status cannot
    /// say yet. Null otherwise, and for a scale-up, a pin or an undo (a person's explicit count, which a floor does not
    /// hold up).
    /// </summary>
    public static string? BelowScheduleFloor(ScaleProposal proposal, ScalePolicySpec spec, DateTimeOffset now) =>
        LoopScaleDown(proposal) ? Below(proposal, ScheduleFloor.Active(spec, now)) : null;
}
