using ScaleControl.Core.Policies;
using ScaleControl.Core.Ports;

namespace ScaleControl.Core.Proposals;

/// <summary>
/// An order to take an applied change back, from any channel (card button, scalectl, API). <see cref="AllRows"/>: a
/// group card's "Undo all", every applied row sharing the proposal's card is undone, each under its own rules.
/// </summary>
public sealed record UndoOrder(string Namespace, string Proposal, string User, ApprovalChannel Channel, string Reason, bool AllRows = false);

/// <summary>
/// Whether an applied change may be undone, and how: back to the replicas it started from, through the same rules as
/// any override (<see cref="OverrideRules"/>: an approver on the roster applies at once within the bounds, anyone
/// else's undo becomes a proposal). Refused, with the reason, when the change is not the workload's current state any
/// more (moved since, undone already, too old) or going back would break the policy's bounds, freeze or pin.
/// </summary>
public static class UndoRules
{
    /// <summary>How long after it was applied a change offers Undo (the default of <c>ScaleControl:Loop:UndoWindowSeconds</c>).</summary>
    public static readonly TimeSpan DefaultWindow = TimeSpan.FromHours(2);

    /// <param name="earlierUndo">The proposal named by <see cref="ScaleProposalStatus.Undo"/> or an undo still waiting for approval, if any.</param>
    /// <param name="open">The workload's open proposal, if any: one asking to go further the same way means the traffic moved on.</param>
    public static OverrideVerdict Check(
        ScaleProposal original, ScalePolicy? policy, WorkloadState? workload, ScaleProposal? earlierUndo, string user, DateTimeOffset now, TimeSpan window, ScaleProposal? open = null)
    {
        if (Offered(original, now, window) is { } notOffered)
        {
            return Refuse(notOffered);
        }

        if (earlierUndo is not null && (earlierUndo.Status.Phase.IsOpen() || earlierUndo.Status.Phase == ProposalPhase.Applied))
        {
            return Refuse(earlierUndo.Status.Phase == ProposalPhase.Applied
                ? $"already undone by {earlierUndo.Spec.RequestedBy} ({earlierUndo.Metadata.Name})"
                : $"an undo by {earlierUndo.Spec.RequestedBy} is already waiting for approval ({earlierUndo.Metadata.Name})");
        }

        if (policy is null)
        {
            return Refuse($"policy {original.Metadata.Namespace}/{original.Spec.PolicyName} no longer exists");
        }

        if (workload is null)
        {
            return Refuse($"{original.Spec.Target.Kind} {original.Metadata.Namespace}/{original.Spec.Target.Name} does not exist");
        }

        var left = original.Status.AppliedReplicas!.Value;
        if (workload.SpecReplicas != left)
        {
            return Refuse($"the workload has moved since: it runs {workload.SpecReplicas} now, the change left {left}; undo only takes back the latest change");
        }

        var back = original.Spec.FromReplicas;
        if (FurtherAsked(open, left, back) is { } further)
        {
            // A tap on an old card's Undo in a storm: going back would cut what the traffic now asks for more of, and
            // the loop would ask for it again at once. The person decides on the newer question first.
            return Refuse($"the traffic moved on: proposal {further.Metadata.Name} asks {further.Spec.FromReplicas} → {further.Spec.ToReplicas} now and waits for approval; "
                + $"undo would go back to {back}. Reject that proposal first, or choose a count with scalectl scale");
        }

        if (back < policy.Spec.MinReplicas || back > policy.Spec.MaxReplicas)
        {
            return Refuse($"{back} is outside the policy's bounds {policy.Spec.MinReplicas}..{policy.Spec.MaxReplicas} now; use scalectl scale to choose a count");
        }

        if (ProposalRules.ActiveFreeze(policy.Spec, now) is { } freeze)
        {
            return Refuse($"the policy is frozen until {freeze.Until:u} by {freeze.By}: {freeze.Reason}");
        }

        if (ProposalRules.ActivePin(policy.Spec, now) is { } pin)
        {
            return Refuse($"replicas are pinned at {pin.Replicas} until {pin.Until:u}; unpin first");
        }

        return OverrideRules.Route(policy.Spec, user, workload.SpecReplicas, back, allowOutsideBounds: false);
    }

    /// <summary>Null when <paramref name="original"/> offers Undo at <paramref name="now"/> (the card shows the button); otherwise why not.</summary>
    public static string? Offered(ScaleProposal original, DateTimeOffset now, TimeSpan window)
    {
        var status = original.Status;
        if (status.Phase != ProposalPhase.Applied || status.AppliedReplicas is not { } applied)
        {
            return $"only an applied change can be undone; {original.Metadata.Name} is {status.Phase}";
        }

        if (status.Undo is { } undo)
        {
            return $"already undone by {undo.By} at {undo.At:u} ({undo.Proposal})";
        }

        if (ProposalFactory.ActionOf(original) == ProposalFactory.Action.Pin)
        {
            return "a pin is taken back with unpin (scalectl unpin), not undo";
        }

        if (applied == original.Spec.FromReplicas)
        {
            return "the change moved nothing; there is nothing to undo";
        }

        return status.AppliedAt is { } at && now - at > window
            ? $"applied at {at:u}, more than {window.TotalMinutes:0} minutes ago: undo is offered for {window.TotalMinutes:0} minutes; use scalectl scale"
            : null;
    }

    /// <summary>The pending proposal asking to go on from <paramref name="left"/>, away from <paramref name="back"/>; null when there is none.</summary>
    private static ScaleProposal? FurtherAsked(ScaleProposal? open, int left, int back) =>
        open is { Status.Phase: ProposalPhase.Pending } pending && ProposalFactory.ActionOf(pending) == ProposalFactory.Action.Approval
        && pending.Spec.FromReplicas == left && Math.Sign(pending.Spec.ToReplicas - left) == Math.Sign(left - back)
            ? pending
            : null;

    private static OverrideVerdict Refuse(string message) => new(OverrideRoute.Refuse, message);
}
