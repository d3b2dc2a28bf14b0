using ScaleControl.Core.Decisions;
using ScaleControl.Core.Policies;
using ScaleControl.Core.Ports;
using ScaleControl.Core.Proposals;
using ScaleControl.Core.Text;
using ScaleControl.Server.Security;
using ScaleControl.Server.Telemetry;
using ScaleControl.Server.Control.Actuation;
using ScaleControl.Server.Control.Loop;

namespace ScaleControl.Server.Control.Overrides;

/// <summary>
/// The outcome of an override request: the changed policy, or the proposal awaiting approval (202), or a problem
/// (with the request field at fault, when there is one).
/// <see cref="Note"/> is a warning that does not stop the request (a pin below what the policy asks now).
/// </summary>
public sealed record OverrideResult(ScalePolicy? Policy, string? Problem, int Status = StatusCodes.Status200OK, ScaleProposal? Proposal = null, string? Field = null, string? Note = null)
{
    /// <summary>Nothing was in force to lift (an unpin without a pin, an unfreeze without a freeze): nothing written, recorded or announced.</summary>
    public bool Unchanged { get; init; }

    /// <summary>The same request was carried out before (<see cref="PolicySpecEditor"/>): its record; nothing was written, recorded or announced again.</summary>
    public OverrideRecord? Replayed { get; init; }
}

/// <summary>
/// Pins and freezes: written into the policy's spec (so every replica and the leader's loop honour them and they
/// survive restarts) with an expiry; the loop ignores them once expired, so they lift by themselves.
/// A pin also scales the workload now, recorded as a ScaleProposal of action "pin" — when the caller may
/// (<see cref="OverrideRules"/>); otherwise it becomes a Pending pin proposal for the policy's approvers.
/// </summary>
public sealed class OverrideService(
    IPolicyStore policies,
    PolicySpecEditor editor,
    IWorkloadClient workloads,
    ProposalService proposals,
    ProposalWriter writer,
    ScaleApplier applier,
    Announcer announcer,
    ApprovalSigner signer,
    CapacityAssessor capacity,
    TimeProvider time,
    ILogger<OverrideService> logger)
{
    /// <param name="requestKey">The caller's key for this request (the REST <c>Idempotency-Key</c>, a chat message's id): the same request again is not carried out twice.</param>
    /// <param name="groupNotice">False when the caller posts one notice for many policies (<see cref="NamespaceNotices"/>): recorded and an Event all the same.</param>
    public async Task<OverrideResult> FreezeAsync(
        string @namespace, string name, int durationSeconds, string reason, string user, ApprovalChannel channel, CancellationToken cancellationToken, string? requestKey = null,
        bool groupNotice = true)
    {
        // A freeze on a policy the loop holds off its workload would change nothing and read as if it did.
        var current = await policies.GetAsync(@namespace, name, cancellationToken);
        if (current is not null && PolicySpecEditor.Unreadable(current) is { } unreadable)
        {
            return unreadable;
        }

        if (current is not null && await policies.HeldByAsync(current, cancellationToken) is { } owner)
        {
            return new OverrideResult(null, $"{TargetOwnership.Problem(current, owner)}; freeze {owner.Key} instead", StatusCodes.Status409Conflict);
        }

        var now = time.GetUtcNow();
        var until = now.AddSeconds(durationSeconds);
        var earlier = current is null ? null : ProposalRules.ActiveFreeze(current.Spec, now);
        // A freeze over one in force replaces it: said once, as such, not as a second new freeze.
        var change = earlier is null ? "frozen" : until >= earlier.Until ? "freeze extended" : "freeze shortened";
        var message = earlier is null ? $"frozen until {until:u} by {user}: {reason}" : $"{change} to {until:u} by {user}: {reason} ({Was(earlier)})";
        var result = await editor.ChangeAsync(@namespace, name, s => s with { Freeze = new FreezeSpec { Until = until, Reason = reason, By = user } }, cancellationToken,
            Recorded("Frozen", user, channel, requestKey, _ => message, reason), done => FreezeOrder.Matches(done, durationSeconds, reason));
        if (result is { Policy: { } policy, Replayed: null })
        {
            await AnnounceAsync(policy, "Frozen", user, message, ScaleEventReasons.PolicyFrozen, NoticeKind.Frozen, cancellationToken, title: change, groupNotice: groupNotice);
            // The note travels as an HTTP Warning header too: ASCII only, so without who and why (the notice has them).
            return earlier is null ? result : result with { Note = $"{change}: it was already frozen until {earlier.Until:u}; this freeze replaces that one" };
        }

        return result;
    }

    /// <summary>The Warning of an unfreeze or unpin with nothing in force (scalectl says it instead of "unfrozen"): ASCII, as a header.</summary>
    private string? NothingToLift(ScalePolicy policy, string state, string user, string? requestKey) =>
        editor.DoneBefore(policy, user, requestKey) ? null : $"not {state}: nothing was changed";

    private static string Was(FreezeSpec earlier) => $"was frozen until {earlier.Until:u}{(earlier.By is { } by ? $" by {by}" : "")}: {earlier.Reason}";

    /// <param name="groupNotice">False when the caller posts one notice for many policies (<see cref="NamespaceNotices"/>).</param>
    public async Task<OverrideResult> UnfreezeAsync(
        string @namespace, string name, string user, ApprovalChannel channel, CancellationToken cancellationToken, string? requestKey = null, bool groupNotice = true)
    {
        var current = await policies.GetAsync(@namespace, name, cancellationToken);
        if (current is not null && PolicySpecEditor.Unreadable(current) is { } unreadable)
        {
            return unreadable;
        }

        if (current is not null && ProposalRules.ActiveFreeze(current.Spec, time.GetUtcNow()) is null)
        {
            // Not frozen: nothing to lift, nothing to record; said (a Warning), unless this is the retry of one that lifted it.
            return new OverrideResult(current, null, Note: NothingToLift(current, "frozen", user, requestKey)) { Unchanged = true };
        }

        string Message(ScalePolicy lifted) => $"unfrozen by {user}; {OverrideRules.AfterLift(lifted.Spec, time.GetUtcNow())}";
        var result = await editor.ChangeAsync(@namespace, name, s => s with { Freeze = null }, cancellationToken, Recorded("Unfrozen", user, channel, requestKey, Message));
        if (result is { Policy: { } policy, Replayed: null })
        {
            await AnnounceAsync(policy, "Unfrozen", user, Message(policy), ScaleEventReasons.PolicyFrozen, NoticeKind.Unfrozen, cancellationToken, groupNotice: groupNotice);
        }

        return result;
    }

    /// <summary>The one entry point for pins (API, scalectl, chat): the caller's identity and channel decide the route.</summary>
    public async Task<OverrideResult> PinAsync(PinOrder order, CancellationToken cancellationToken)
    {
        var policy = await FindByWorkloadAsync(order.Namespace, order.Workload, cancellationToken);
        if (policy is null)
        {
            return new OverrideResult(null, $"no ScalePolicy in namespace '{order.Namespace}' targets workload '{order.Workload}'", StatusCodes.Status404NotFound);
        }

        if (PolicySpecEditor.Unreadable(policy) is { } unreadable)
        {
            return unreadable;
        }

        // A pin is held by the loop, which acts on nothing of an Observe policy: refused, rather than a scale nobody holds.
        if (ObserveMode.Observes(policy.Spec))
        {
            return new OverrideResult(null, ObserveMode.Refusal(policy, "pin"), StatusCodes.Status409Conflict);
        }

        var target = ProposalFactory.TargetOf(policy);
        var state = await workloads.GetAsync(target, cancellationToken);
        if (state is null)
        {
            return new OverrideResult(null, $"{target.Kind} {target} does not exist", StatusCodes.Status404NotFound);
        }

        var verdict = OverrideRules.Route(policy.Spec, order.User, state.SpecReplicas, order.Replicas, order.AllowOutsideBounds);
        var note = OverrideRules.BelowPolicyNote(policy, order.Replicas, TimeSpan.FromSeconds(order.DurationSeconds), time.GetUtcNow());
        return verdict.Route switch
        {
            OverrideRoute.Refuse => new OverrideResult(null, verdict.Message, StatusCodes.Status400BadRequest, Field: verdict.Field),
            OverrideRoute.Propose => WithNote(await ProposePinAsync(policy, state, order, verdict, note, cancellationToken), note),
            _ => WithNote(await PinNowAsync(policy, state, order, verdict, note, cancellationToken), note),
        };
    }

    /// <summary>
    /// The caveat goes with a pin that went through or waits for approval, not with a refusal or a conflict; ahead of
    /// the room the pin's estimate found (<see cref="OverrideRules.RoomNote"/>), when it found too little.
    /// </summary>
    private static OverrideResult WithNote(OverrideResult result, string? note) =>
        result.Policy is not null || result.Status == StatusCodes.Status202Accepted ? result with { Note = OverrideRules.JoinNotes(note, result.Note) }
            : result;

    private async Task<OverrideResult> PinNowAsync(ScalePolicy policy, WorkloadState state, PinOrder order, OverrideVerdict verdict, string? note, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var until = now.AddSeconds(order.DurationSeconds);
        var result = await editor.ChangeAsync(policy.Metadata.Namespace, policy.Metadata.Name,
            s => s with { Pin = new PinSpec { Replicas = order.Replicas, Until = until, Reason = order.Reason, By = order.User } }, cancellationToken);
        if (result.Policy is not { } pinned)
        {
            return result;
        }

        var target = ProposalFactory.TargetOf(policy);
        var open = await proposals.FindOpenAsync(target, cancellationToken);
        var pin = await capacity.WithCapacityAsync(ProposalFactory.ForPin(pinned, state, order, verdict, until, now), state, cancellationToken);
        var created = await writer.CreateAsync(signer.SignFor(pin, order.User), cancellationToken);
        if (open?.Status.Phase == ProposalPhase.Pending)
        {
            await proposals.SupersedeAsync(open, created, cancellationToken);
        }

        var applied = await applier.ApplyAsync(created, order.User, cancellationToken);
        // Recorded all the same (nodes may be on their way), but the answer and the notice say the nodes cannot hold it now.
        var room = OverrideRules.RoomNote(created.Spec.Capacity);
        var caveats = OverrideRules.JoinNotes(note, room);
        await AnnounceAsync(pinned, "Pinned", order.User, $"{created.Status.Message} ({applied.Status.Message}){(caveats is null ? "" : $"; {caveats}")}", ScaleEventReasons.ReplicasPinned, NoticeKind.Pinned, cancellationToken);
        return result with { Note = OverrideRules.JoinNotes(result.Note, room) };
    }

    /// <summary>Not the caller's to apply alone: a Pending pin proposal, carded like any other, for the roster to approve.</summary>
    private async Task<OverrideResult> ProposePinAsync(ScalePolicy policy, WorkloadState state, PinOrder order, OverrideVerdict verdict, string? note, CancellationToken cancellationToken)
    {
        var target = ProposalFactory.TargetOf(policy);
        var open = await proposals.FindOpenAsync(target, cancellationToken);
        var request = await capacity.WithCapacityAsync(ProposalFactory.ForPinRequest(policy, state, order, verdict, time.GetUtcNow(), note), state, cancellationToken);
        var created = await writer.CreateAsync(signer.SignFor(request, order.User), cancellationToken);
        if (open?.Status.Phase == ProposalPhase.Pending)
        {
            await proposals.SupersedeAsync(open, created, cancellationToken);
        }

        logger.OverrideChanged(order.User, "pin-requested", policy.Metadata.Namespace, policy.Metadata.Name, $"{created.Spec.Reason} ({verdict.Message})");
        await announcer.EventAsync(created, ScaleEventReasons.ScaleProposalCreated,
            $"proposal {created.Metadata.Name}: {created.Spec.FromReplicas} → {created.Spec.ToReplicas} awaits approval: {created.Spec.Reason}", warning: false, cancellationToken);
        var card = await announcer.SendCardAsync(created, policy, cancellationToken);
        var shown = CardState.SentShowing(card, created);
        var stored = await writer.UpdateAsync(created, p => ProposalLifecycle.WithCard(p, shown), cancellationToken) ?? created;
        // The card shows the room line; the requester hears it in the answer too.
        return new OverrideResult(null, verdict.Message, StatusCodes.Status202Accepted, stored, Note: OverrideRules.RoomNote(created.Spec.Capacity));
    }

    public async Task<OverrideResult> UnpinAsync(string @namespace, string workload, string user, ApprovalChannel channel, CancellationToken cancellationToken, string? requestKey = null)
    {
        var policy = await FindByWorkloadAsync(@namespace, workload, cancellationToken);
        if (policy is null)
        {
            return new OverrideResult(null, $"no ScalePolicy in namespace '{@namespace}' targets workload '{workload}'", StatusCodes.Status404NotFound);
        }

        if (PolicySpecEditor.Unreadable(policy) is { } unreadable)
        {
            return unreadable;
        }

        if (ProposalRules.ActivePin(policy.Spec, time.GetUtcNow()) is null)
        {
            // Not pinned: nothing to lift, nothing to record or announce; said as for an unfreeze.
            return new OverrideResult(policy, null, Note: NothingToLift(policy, "pinned", user, requestKey)) { Unchanged = true };
        }

        string Message(ScalePolicy unpinned) => $"pin removed by {user}; {OverrideRules.AfterLift(unpinned.Spec, time.GetUtcNow())}";
        var result = await editor.ChangeAsync(@namespace, policy.Metadata.Name, s => s with { Pin = null }, cancellationToken, Recorded("Unpinned", user, channel, requestKey, Message));
        if (result is { Policy: { } unpinned, Replayed: null })
        {
            await AnnounceAsync(unpinned, "Unpinned", user, Message(unpinned), ScaleEventReasons.ReplicasPinned, NoticeKind.Pinned, cancellationToken);
        }

        return result;
    }

    /// <summary>The policy that controls the workload: of several naming it, the oldest (<see cref="TargetOwnership"/>), the one the loop acts on.</summary>
    public async Task<ScalePolicy?> FindByWorkloadAsync(string @namespace, string workload, CancellationToken cancellationToken) =>
        TargetOwnership.Oldest((await policies.ListAsync(@namespace, cancellationToken)).Where(p => p.Spec.Target.Name == workload));

    /// <summary>
    /// The record an override writes with its change (<see cref="PolicySpecEditor"/>, <see cref="OverrideRecords"/>): its id is
    /// fixed here, once per request, so a write retried after a conflict is still the same record.
    /// </summary>
    internal Func<ScalePolicy, OverrideRecord> Recorded(string kind, string user, ApprovalChannel channel, string? requestKey, Func<ScalePolicy, string> message, string? why = null)
    {
        var id = OverrideRecords.IdFor(user, requestKey);
        return changed => new OverrideRecord(id, time.GetUtcNow(), kind, changed.Spec.Target.Name, user, channel, message(changed), why);
    }

    /// <summary>Tells of an override written (and recorded) just now: the log, an Event on the workload and the group's notice.</summary>
    internal async Task AnnounceAsync(
        ScalePolicy policy, string kind, string user, string message, string reason, NoticeKind notice, CancellationToken cancellationToken, string? title = null, bool groupNotice = true)
    {
        var target = ProposalFactory.TargetOf(policy);
        logger.OverrideChanged(user, kind.ToLowerInvariant(), policy.Metadata.Namespace, policy.Metadata.Name, message);
        await announcer.EventAsync(target, reason, message, warning: false, cancellationToken);
        if (!groupNotice)
        {
            return;
        }

        await announcer.NoticeAsync(policy, notice, target, $"{target}: {title ?? kind.ToLowerInvariant()}", $"**{target}** {MarkdownText.Line(message)}", cancellationToken); // the message quotes a typed reason
    }
}
