using ScaleControl.Core.Decisions;
using ScaleControl.Core.Policies;
using ScaleControl.Core.Ports;
using ScaleControl.Core.Proposals;
using ScaleControl.Server.Security;
using Microsoft.Extensions.Options;
using ScaleControl.Server.Hosting;
using ScaleControl.Server.Telemetry;
using ScaleControl.Server.Control.Actuation;

namespace ScaleControl.Server.Control.Loop;

/// <summary>
/// What the control loop does with proposals: act on a decision (apply automatically, or propose and send the card),
/// keep at most one proposal open per workload (a new one supersedes the old), and each tick escalate, expire and
/// finish approved-but-unapplied proposals (e.g. when the replica that took the last tap died).
/// </summary>
public sealed class ProposalService(
    IProposalStore store,
    ProposalWriter writer,
    ScaleApplier applier,
    Announcer announcer,
    CardSync cards,
    ApprovalSigner signer,
    CapacityAssessor capacity,
    IOptions<ControlLoopOptions> options,
    TimeProvider time,
    ScaleControlMetrics metrics)
{

    /// <summary>Applies <paramref name="decision"/> now, with a proposal record approved by the loop (channel Auto): history lives in one place.</summary>
    /// <param name="preEventReplicas">For a scale-up: the count before the hot event it belongs to (<see cref="ReturnToNormalRules.PreEventFor"/>).</param>
    public async Task<ScaleProposal> ApplyAutomaticallyAsync(
        ScalePolicy policy, Decision decision, WorkloadState workload, ScaleProposal? open, CancellationToken cancellationToken, int? preEventReplicas = null)
    {
        var proposal = await capacity.WithCapacityAsync(
            ProposalFactory.FromDecision(policy, decision, workload, time.GetUtcNow(), ProposalFactory.Action.Auto, preEventReplicas), workload, cancellationToken);
        if (announcer.AutoCardGroup(policy) is { } group
            && AutoNoticeRules.CardToJoin(proposal, await store.ListAsync(null, cancellationToken), group, time.GetUtcNow(), AutoNoticeWindow) is { } card)
        {
            // The step is shown on the card of the steps before it (updated in place when it is applied), not posted anew.
            proposal = ProposalLifecycle.WithCard(proposal, card);
        }

        var created = await writer.CreateAsync(signer.SignFor(proposal, ProposalLifecycle.SystemUser), cancellationToken);
        if (open is not null)
        {
            await SupersedeAsync(open, created, cancellationToken);
        }

        return await applier.ApplyAsync(created, ProposalLifecycle.SystemUser, cancellationToken);
    }

    /// <summary>
    /// Creates a Pending proposal (superseding <paramref name="open"/>) and sends the card; in a group with a card
    /// already waiting, the proposal joins that card as a row instead (its expiry, no DING of its own).
    /// </summary>
    public async Task<ScaleProposal> ProposeAsync(
        ScalePolicy policy, Decision decision, WorkloadState workload, ScaleProposal? open, CancellationToken cancellationToken, int? preEventReplicas = null)
    {
        var now = time.GetUtcNow();
        var proposal = await capacity.WithCapacityAsync(
            ProposalFactory.FromDecision(policy, decision, workload, now, ProposalFactory.Action.Approval, preEventReplicas), workload, cancellationToken);
        var lead = policy.Spec.Group is null ? null : await GroupCardAsync(policy, now, cancellationToken);
        if (lead is not null)
        {
            proposal = ProposalLifecycle.JoinCard(proposal, lead);
        }

        return await PostAsync(policy, proposal, open, onLeadCard: lead is not null, cancellationToken);
    }

    /// <summary>
    /// The one "return to normal" proposal after <paramref name="hotEvent"/>: a row on the event's card when that card
    /// was delivered (the group's card for a group), else a card of its own.
    /// </summary>
    public async Task<ScaleProposal> ProposeReturnAsync(
        ScalePolicy policy, Decision decision, WorkloadState workload, HotEvent hotEvent, ScaleProposal? open, CancellationToken cancellationToken)
    {
        var proposal = await capacity.WithCapacityAsync(ProposalFactory.ForReturn(policy, decision, workload, hotEvent, time.GetUtcNow()), workload, cancellationToken);
        // An automatic scale-up's card is a notice without approval buttons: the way back gets a card of its own.
        var eventCard = CardState.IsDeliveredTo(hotEvent.ScaleUp, policy.Spec.Approval?.OpenConversationId)
            && ProposalFactory.ActionOf(hotEvent.ScaleUp) != ProposalFactory.Action.Auto
            ? hotEvent.ScaleUp.Status.Card! with { ShownState = null }
            : null;
        if (eventCard is not null)
        {
            proposal = proposal with
            {
                Status = proposal.Status with { Card = eventCard, Message = $"{proposal.Status.Message}; on the hot event's card ({hotEvent.ScaleUp.Metadata.Name})" },
            };
        }

        return await PostAsync(policy, proposal, open, onLeadCard: eventCard is not null, cancellationToken);
    }

    /// <summary>Stores a new Pending proposal (closing <paramref name="open"/>) and shows it: on the card it joined, or on a card of its own.</summary>
    private async Task<ScaleProposal> PostAsync(ScalePolicy policy, ScaleProposal proposal, ScaleProposal? open, bool onLeadCard, CancellationToken cancellationToken)
    {
        var created = await writer.CreateAsync(proposal, cancellationToken);
        if (open is not null)
        {
            await SupersedeAsync(open, created, cancellationToken);
        }

        await announcer.EventAsync(created, ScaleEventReasons.ScaleProposalCreated,
            $"proposal {created.Metadata.Name}: {created.Spec.FromReplicas} → {created.Spec.ToReplicas} awaits approval: {created.Spec.Reason}", warning: false, cancellationToken);
        if (onLeadCard)
        {
            await cards.ShowCardAsync(created, cancellationToken);
            return created;
        }

        var card = await announcer.SendCardAsync(created, policy, cancellationToken);
        var shown = CardState.SentShowing(card, created);
        return await writer.UpdateAsync(created, p => ProposalLifecycle.WithCard(p, shown), cancellationToken) ?? created;
    }

    private async Task<ScaleProposal?> GroupCardAsync(ScalePolicy policy, DateTimeOffset now, CancellationToken cancellationToken) =>
        GroupCardLead.Of(await store.ListAsync(null, cancellationToken), policy, now);

    /// <summary>Closes <paramref name="open"/>; its card is brought up to date by the <see cref="CardReconciler"/>.</summary>
    public Task SupersedeAsync(ScaleProposal open, ScaleProposal by, CancellationToken cancellationToken) =>
        writer.UpdateAsync(open, p => ProposalLifecycle.Supersede(p, by, time.GetUtcNow(),
            $"{by.Spec.FromReplicas} → {by.Spec.ToReplicas} is asked for now").IfAccepted(), cancellationToken);

    /// <summary>The open proposal for a workload, if any (the newest; the loop never leaves two).</summary>
    public async Task<ScaleProposal?> FindOpenAsync(WorkloadRef target, CancellationToken cancellationToken) =>
        NewestOpenByTarget(await store.ListAsync(target.Namespace, cancellationToken)).GetValueOrDefault(ProposalRules.TargetKey(target));

    /// <summary>
    /// What the loop needs to know about every target's proposals, read once per tick: the loop looks its policies up
    /// here instead of scanning (and sorting) every stored proposal for each of them. Only rejections ScaleControl
    /// recorded hold a workload back.
    /// </summary>
    public async Task<ProposalBoard> BoardAsync(CancellationToken cancellationToken) =>
        ProposalBoard.From(await store.ListAsync(null, cancellationToken), (p, rejection) => signer.CheckRejection(p, rejection) == ApprovalSealFinding.ThisAsk);

    /// <summary>Amends the pending proposal in place (same record, same card) to the newer decision's target; the caller refreshes the card.</summary>
    public async Task<ScaleProposal?> AmendAsync(ScaleProposal open, Decision decision, CancellationToken cancellationToken)
    {
        // The cost and room of the new target, worked out before the write (the change function stays pure).
        var estimate = (await capacity.WithCapacityAsync(open with { Spec = open.Spec with { ToReplicas = decision.DesiredReplicas } }, null, cancellationToken)).Spec.Capacity;
        var amended = await writer.UpdateAsync(open, p => ProposalLifecycle.Amend(p, decision, time.GetUtcNow()).IfAccepted() is { } a
            ? a with { Spec = a.Spec with { Capacity = estimate } }
            : null, cancellationToken);
        if (amended is not null)
        {
            await announcer.EventAsync(amended, ScaleEventReasons.ScaleProposalAmended,
                $"proposal {amended.Metadata.Name} {amended.Status.Message}: {amended.Spec.Reason}", warning: false, cancellationToken);
        }

        return amended;
    }

    /// <summary>Brings each card up to date once (a group card renders all its rows from the store).</summary>
    public async Task RefreshCardsAsync(IEnumerable<ScaleProposal> rows, CancellationToken cancellationToken)
    {
        foreach (var row in rows)
        {
            await cards.ShowCardAsync(row, cancellationToken);
        }
    }

    private static Dictionary<string, ScaleProposal> NewestOpenByTarget(IEnumerable<ScaleProposal> proposals) => proposals
        .Where(p => p.Status.Phase.IsOpen())
        .GroupBy(p => ProposalRules.TargetKey(ProposalFactory.TargetOf(p)), StringComparer.Ordinal)
        .ToDictionary(g => g.Key, g => g.OrderByDescending(ProposalFactory.CreatedAt).First(), StringComparer.Ordinal);

    /// <summary>
    /// Escalates, expires and finishes open proposals; called by the leader every tick. Cards follow through the
    /// <see cref="CardReconciler"/> that runs right after.
    /// </summary>
    public async Task MaintainAsync(IReadOnlyDictionary<string, ScalePolicy> policies, CancellationToken cancellationToken)
    {
        var open = (await store.ListAsync(null, cancellationToken)).Where(p => p.Status.Phase.IsOpen()).ToList();
        metrics.OpenProposals.Record(open.Count(p => p.Status.Phase is ProposalPhase.Pending or ProposalPhase.Approved));
        var now = time.GetUtcNow();
        metrics.UnseenProposals.Record(Queries.UnseenProposals.Of(open, now).Count);
        var due = new List<(ScaleProposal, EscalationSpec)>();
        foreach (var proposal in open)
        {
            policies.TryGetValue($"{proposal.Metadata.Namespace}/{proposal.Spec.PolicyName}", out var policy);
            switch (proposal.Status.Phase)
            {
                case ProposalPhase.Pending when now >= proposal.Spec.ExpiresAt:
                    await ExpireAsync(proposal, policy, cancellationToken);
                    break;
                case ProposalPhase.Pending when proposal.Spec.EscalateAt is { } at && now >= at && proposal.Status.Escalations.Count == 0
                                                 && policy?.Spec.Approval?.Escalation is { } escalation:
                    due.Add((proposal, escalation));
                    break;
                case ProposalPhase.Approved:
                    await applier.ApplyAsync(proposal, ProposalLifecycle.SystemUser, cancellationToken);
                    break;
                case ProposalPhase.Applying when now - (proposal.Status.History.LastOrDefault()?.At ?? now) > ClaimTimeout:
                    // The replica applying it stopped: the approval stands, the apply resumes (the workload is read again).
                    await applier.ResumeAsync(proposal, ClaimTimeout, cancellationToken);
                    break;
            }
        }

        ScalePolicy? PolicyOf(ScaleProposal p) => policies.GetValueOrDefault($"{p.Metadata.Namespace}/{p.Spec.PolicyName}");
        IReadOnlyList<string> RosterNow(ScaleProposal p) => ApproverRoster.Now(p, PolicyOf(p));
        await EscalateAsync(DueEscalations.Of(due, open, now, RosterNow), cancellationToken);
        var waiting = open.Where(p => now < p.Spec.ExpiresAt).ToList(); // not the ones expired above
        await MentionAddedApproversAsync(waiting, PolicyOf, cancellationToken);
        await RecordDroppedApproversAsync(waiting, PolicyOf, cancellationToken);
    }

    /// <summary>
    /// The approvers dropped from a policy's roster since its card called them may no longer decide it: recorded on the
    /// proposal, so its card (updated in place by the card reconciler) stops naming them on its on-call line.
    /// </summary>
    private async Task RecordDroppedApproversAsync(IReadOnlyList<ScaleProposal> open, Func<ScaleProposal, ScalePolicy?> policyOf, CancellationToken cancellationToken)
    {
        foreach (var proposal in open)
        {
            var dropped = ApproverRoster.Dropped(proposal, policyOf(proposal));
            if (dropped.Count > 0)
            {
                await writer.UpdateAsync(proposal, p => ProposalLifecycle.WithRosterDrops(p, dropped, time.GetUtcNow()), cancellationToken);
            }
        }
    }

    /// <summary>
    /// The approvers added to a policy's roster since its card was sent may decide it, but the card's @-mentions went out
    /// with its delivery: each is @-mentioned once in the card's group (one reminder per card, naming everyone added to
    /// any of its waiting rows), and recorded on the rows, so no later pass, replica or restart calls them again. A
    /// throttled DingTalk leaves them unrecorded for the next pass.
    /// </summary>
    private async Task MentionAddedApproversAsync(IReadOnlyList<ScaleProposal> open, Func<ScaleProposal, ScalePolicy?> policyOf, CancellationToken cancellationToken)
    {
        var added = open
            .Select(p => (Row: p, People: ApproverRoster.NotYetMentioned(p, policyOf(p))))
            .Where(r => r.People.Count > 0)
            .GroupBy(r => r.Row.Status.Card!.OutTrackId, StringComparer.Ordinal);
        foreach (var card in added)
        {
            var rows = card.OrderBy(r => ProposalFactory.CreatedAt(r.Row)).ToList();
            var people = rows.SelectMany(r => r.People).Distinct(StringComparer.Ordinal).ToList();
            if (!await announcer.MentionAddedApproversAsync([.. rows.Select(r => r.Row)], people, cancellationToken))
            {
                continue;
            }

            var at = time.GetUtcNow();
            foreach (var (row, mentioned) in rows)
            {
                await writer.UpdateAsync(row, p => ProposalLifecycle.WithRosterMentions(p, mentioned, at), cancellationToken);
            }
        }
    }

    private async Task ExpireAsync(ScaleProposal proposal, ScalePolicy? policy, CancellationToken cancellationToken)
    {
        var expired = await writer.UpdateAsync(proposal, p => ProposalLifecycle.Expire(p, time.GetUtcNow()).IfAccepted(), cancellationToken);
        if (expired is null)
        {
            return;
        }

        var target = ProposalFactory.TargetOf(expired);
        await announcer.EventAsync(expired, ScaleEventReasons.ScaleProposalExpired,
            $"proposal {expired.Metadata.Name} ({expired.Spec.FromReplicas} → {expired.Spec.ToReplicas}) expired unapproved; nothing changed", warning: true, cancellationToken);
        if (expired.Status.Card is { Error: null, OpenConversationId: { } cardGroup } && policy is not null && announcer.AutoCardGroup(policy) == cardGroup)
        {
            // The card, brought up to date in place, says "Expired" in that very group: a message beside it is the same
            // news twice, and in a storm of ungrouped cards one message per card at the same moment.
            return;
        }

        await announcer.NoticeAsync(policy, NoticeKind.ProposalExpired, target, $"Proposal for {target} expired",
            $"Nobody approved **{target}** {expired.Spec.FromReplicas} → {expired.Spec.ToReplicas}; it expired and nothing changed.", cancellationToken);
    }

    /// <summary>
    /// One DING per set of people: a group card's rows are due together (they share the first row's times) and go out
    /// together, and every card due this pass that goes to the same people is named in the same DING (<see cref="DueEscalations"/>).
    /// Each row keeps the record of the DING that named it. A throttled or unreachable DingTalk leaves that DING's rows
    /// unrecorded, and the next pass sends it again, whole.
    /// </summary>
    private async Task EscalateAsync(DueEscalations due, CancellationToken cancellationToken)
    {
        foreach (var join in due.Joins)
        {
            await RecordAsync(join.Rows, join.Record, cancellationToken);
        }

        foreach (var ding in due.Dings)
        {
            if (await announcer.EscalateAsync(ding.Rows, ding.Escalation, ding.Receivers, cancellationToken) is { } record)
            {
                await RecordAsync(ding.Rows, record, cancellationToken);
            }
        }
    }

    private async Task RecordAsync(IEnumerable<ScaleProposal> rows, EscalationRecord record, CancellationToken cancellationToken)
    {
        foreach (var row in rows)
        {
            await writer.UpdateAsync(row, p => p.Status.Phase == ProposalPhase.Pending ? ProposalLifecycle.WithEscalation(p, record) : null, cancellationToken);
        }
    }

    private TimeSpan ClaimTimeout => TimeSpan.FromSeconds(options.Value.ApplyClaimSeconds);

    private TimeSpan AutoNoticeWindow => TimeSpan.FromSeconds(options.Value.AutoNoticeWindowSeconds);
}
