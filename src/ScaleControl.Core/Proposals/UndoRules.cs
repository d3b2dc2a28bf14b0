using System.Globalization;
using ScaleControl.Core.Decisions;
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
/// else's undo becomes a proposal, and an approver's Undo takes over such a proposal while it is pending). Refused,
/// with the reason, when the change is not the workload's current state any more (moved since, undone already, too
/// old) or going back would break the policy's bounds, freeze or pin.
/// </summary>
public static class UndoRules
{
    /// <summary>How long after it was applied a change offers Undo (the default of <c>ScaleControl:Loop:UndoWindowSeconds</c>).</summary>
    public static readonly TimeSpan DefaultWindow = TimeSpan.FromHours(2);

    /// <param name="earlierUndo">The proposal named by <see cref="ScaleProposalStatus.Undo"/> or an undo still waiting for approval, if any (the caller supersedes a waiting one when the verdict applies at once).</param>
    /// <param name="open">The workload's open proposal, if any: one asking to go further the same way means the traffic moved on.</param>
    /// <param name="newer">The workload's change applied after <paramref name="original"/> (<see cref="NewerChange"/>), if any: undo takes back the latest change only.</param>
    public static OverrideVerdict Check(
        ScaleProposal original, ScalePolicy? policy, WorkloadState? workload, ScaleProposal? earlierUndo, string user, DateTimeOffset now, TimeSpan window,
        ScaleProposal? open = null, ScaleProposal? newer = null)
    {
        if (Offered(original, now, window) is { } notOffered)
        {
            return Refuse(notOffered);
        }

        if (earlierUndo is { Status.Phase: ProposalPhase.Applied })
        {
            return Refuse($"already undone by {earlierUndo.Spec.RequestedBy} ({earlierUndo.Metadata.Name})");
        }

        if (newer is not null)
        {
            // Checked live, not only from the recorded withdrawal: a tap may come before the loop has seen the newer change.
            return Refuse($"the workload has moved on since: {ByNewerChange(original, newer).Message}; undo only takes back the latest change");
        }

        if (policy is null)
        {
            return Refuse($"policy {original.Metadata.Namespace}/{original.Spec.PolicyName} no longer exists");
        }

        if (ObserveMode.Observes(policy.Spec))
        {
            return Refuse(ObserveMode.Refusal(policy, "undo a change"));
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

        // Someone's undo still waits for the approvers: an approver's own Undo takes it over (the caller supersedes it);
        // anyone else's would only make a second request, and one already approved is being applied (apply once).
        var verdict = OverrideRules.Route(policy.Spec, user, workload.SpecReplicas, back, allowOutsideBounds: false);
        return earlierUndo is not null && earlierUndo.Status.Phase.IsOpen()
            && (verdict.Route != OverrideRoute.ApplyNow || earlierUndo.Status.Phase != ProposalPhase.Pending)
            ? Refuse($"an undo by {earlierUndo.Spec.RequestedBy} is already waiting for approval ({earlierUndo.Metadata.Name})")
            : verdict;
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

        if (status.UndoWithdrawn is { } withdrawn)
        {
            return $"undo is no longer offered: {withdrawn.Message}";
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

    /// <summary>
    /// Whether <paramref name="original"/>'s Undo stopped meaning what its card says, and why; null while it still does
    /// (or when it was never offered, was undone or was withdrawn already). In this order: a newer change of ScaleControl's
    /// was applied to the workload (<see cref="NewerChange"/>), the workload runs another count than the card's own
    /// changes left it at, the undo window ended. <paramref name="workload"/> null (not read, or gone): the count is not
    /// judged — nothing is withdrawn on missing data, and the tap's own check refuses an undo of a missing workload.
    /// </summary>
    /// <param name="sameNamespace">The proposals of <paramref name="original"/>'s namespace (the newer changes are among them).</param>
    public static UndoWithdrawal? Withdrawal(
        ScaleProposal original, IReadOnlyCollection<ScaleProposal> sameNamespace, WorkloadState? workload, DateTimeOffset now, TimeSpan window)
    {
        if (Offered(original, now, TimeSpan.MaxValue) is not null)
        {
            return null;
        }

        if (NewerChange(original, sameNamespace) is { } newer)
        {
            return ByNewerChange(original, newer);
        }

        // The card's own later steps of this workload (a group card's second row, an Undo all under way) moved it, not someone else.
        var latestOwn = ChangesAfter(original, sameNamespace).Where(p => p.Key == original.Key || IsOwn(original, p, sameNamespace))
            .MaxBy(p => p.Status.AppliedAt) ?? original;
        if (IsUndoOf(latestOwn, original))
        {
            return null; // its undo was applied: UndoCompletion marks it undone
        }

        if (workload is not null && workload.SpecReplicas != latestOwn.Status.AppliedReplicas)
        {
            return Worded(original, new UndoWithdrawal { Cause = UndoWithdrawalCause.WorkloadMoved, At = now, Replicas = workload.SpecReplicas });
        }

        return original.Status.AppliedAt is { } at && now - at > window
            ? Worded(original, new UndoWithdrawal { Cause = UndoWithdrawalCause.WindowEnded, At = at + window })
            : null;
    }

    /// <summary>
    /// The workload's newest change applied after <paramref name="original"/> (any action; a partial approval's applied part
    /// too) that is not the card's own: not a row of <paramref name="original"/>'s card (a group card's "Undo all" takes
    /// those back with it), nor an undo of one of them. Null when there is none.
    /// </summary>
    public static ScaleProposal? NewerChange(ScaleProposal original, IReadOnlyCollection<ScaleProposal> sameNamespace) =>
        ChangesAfter(original, sameNamespace)
            .Where(p => p.Status.AppliedAt > original.Status.AppliedAt && p.Key != original.Key && !IsOwn(original, p, sameNamespace))
            .MaxBy(p => p.Status.AppliedAt);

    /// <summary>Changes of <paramref name="original"/>'s workload applied at or after it (itself included).</summary>
    private static IEnumerable<ScaleProposal> ChangesAfter(ScaleProposal original, IEnumerable<ScaleProposal> proposals)
    {
        if (original.Status.AppliedAt is not { } appliedAt)
        {
            return [];
        }

        var target = ProposalRules.TargetKey(ProposalFactory.TargetOf(original));
        return proposals.Where(p => p.Status is { AppliedAt: { } at, AppliedReplicas: not null } && at >= appliedAt
            && ProposalRules.TargetKey(ProposalFactory.TargetOf(p)) == target);
    }

    /// <summary>A row of <paramref name="original"/>'s card, or an undo of such a row (or of <paramref name="original"/>).</summary>
    private static bool IsOwn(ScaleProposal original, ScaleProposal change, IReadOnlyCollection<ScaleProposal> sameNamespace)
    {
        if (OnCardOf(original, change))
        {
            return true;
        }

        return ProposalFactory.ActionOf(change) == ProposalFactory.Action.Undo
            && change.Metadata.Annotations?.GetValueOrDefault(ProposalFactory.UndoOfAnnotation) is { } undoneName
            && (undoneName == original.Metadata.Name || sameNamespace.Any(p => p.Metadata.Name == undoneName && OnCardOf(original, p)));
    }

    private static bool OnCardOf(ScaleProposal original, ScaleProposal other) =>
        original.Status.Card is { OutTrackId.Length: > 0 } card && other.Status.Card?.OutTrackId == card.OutTrackId;

    /// <summary>
    /// A withdrawal in words, with names and times as the reader sees them (the card: display names and its time zone;
    /// the stored <see cref="UndoWithdrawal.Message"/>: user ids and UTC).
    /// </summary>
    public static string Describe(UndoWithdrawal withdrawal, string workload, Func<string, string> name, Func<DateTimeOffset, string> time) => withdrawal.Cause switch
    {
        UndoWithdrawalCause.WindowEnded => $"the undo window ended at {time(withdrawal.At)}; choose a count with scalectl scale",
        UndoWithdrawalCause.WorkloadMoved =>
            $"{workload} moved to {withdrawal.Replicas} outside ScaleControl (kubectl scale, an HPA or another controller), seen at {time(withdrawal.At)}",
        _ => $"{workload} moved to {withdrawal.Replicas} by {NewerChangeText(withdrawal, name)} at {time(withdrawal.At)}",
    };

    private static string NewerChangeText(UndoWithdrawal withdrawal, Func<string, string> name)
    {
        var by = string.Join(", ", withdrawal.By.Select(name));
        return withdrawal.Action switch
        {
            "pin" => $"a pin by {by}",
            "undo" => $"an undo by {by} ({withdrawal.Proposal})",
            "auto" => $"an automatic scale ({withdrawal.Proposal})",
            _ => by.Length > 0 ? $"{withdrawal.Proposal}, approved by {by}" : $"{withdrawal.Proposal}",
        };
    }

    private static UndoWithdrawal ByNewerChange(ScaleProposal original, ScaleProposal newer)
    {
        var action = ProposalFactory.ActionOf(newer);
        var approvals = newer.Status.Phase == ProposalPhase.Applied ? newer.Status.Approvals : newer.Status.AppliedSteps.LastOrDefault()?.Approvals ?? [];
        IReadOnlyList<string> by = action switch
        {
            ProposalFactory.Action.Pin or ProposalFactory.Action.Undo => [newer.Spec.RequestedBy],
            ProposalFactory.Action.Auto => [],
            _ => [.. approvals.Select(a => a.User).Distinct(StringComparer.Ordinal)],
        };
        return Worded(original, new UndoWithdrawal
        {
            Cause = UndoWithdrawalCause.NewerChange,
            At = newer.Status.AppliedAt!.Value,
            Replicas = newer.Status.AppliedReplicas,
            Proposal = newer.Metadata.Name,
            Action = action.ToString().ToLowerInvariant(),
            By = by,
        });
    }

    private static UndoWithdrawal Worded(ScaleProposal original, UndoWithdrawal withdrawal) => withdrawal with
    {
        Message = Describe(withdrawal, $"{original.Metadata.Namespace}/{original.Spec.Target.Name}", id => id,
            at => at.UtcDateTime.ToString("HH:mm:ss 'UTC'", CultureInfo.InvariantCulture)),
    };

    private static bool IsUndoOf(ScaleProposal undo, ScaleProposal original) =>
        ProposalFactory.ActionOf(undo) == ProposalFactory.Action.Undo
        && undo.Metadata.Annotations?.GetValueOrDefault(ProposalFactory.UndoOfAnnotation) == original.Metadata.Name;

    /// <summary>The pending proposal asking to go on from <paramref name="left"/>, away from <paramref name="back"/>; null when there is none.</summary>
    private static ScaleProposal? FurtherAsked(ScaleProposal? open, int left, int back) =>
        open is { Status.Phase: ProposalPhase.Pending } pending && ProposalFactory.ActionOf(pending) == ProposalFactory.Action.Approval
        && pending.Spec.FromReplicas == left && Math.Sign(pending.Spec.ToReplicas - left) == Math.Sign(left - back)
            ? pending
            : null;

    private static OverrideVerdict Refuse(string message) => new(OverrideRoute.Refuse, message);
}
