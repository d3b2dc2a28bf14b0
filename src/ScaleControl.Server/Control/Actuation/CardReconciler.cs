using Microsoft.Extensions.Options;
using ScaleControl.Core.Policies;
using ScaleControl.Core.Ports;
using ScaleControl.Core.Proposals;
using ScaleControl.Server.Hosting;

namespace ScaleControl.Server.Control.Actuation;

/// <summary>
/// The proposal is the truth and the card its view. Each tick the leader brings stale cards up to date (a crash
/// between a proposal write and its card update, a change the loop made — expiry, supersede, escalation — or DingTalk
/// down), delivers cards that never arrived (DingTalk down when the proposal was made, a crash before the send; for a
/// burst of automatic steps, one card showing the whole ramp) and
/// finds the cards of decided proposals that hold no record of theirs (a crash between the delivery and the write:
/// the card would offer Approve on a proposal long applied or expired). At most
/// <see cref="ControlLoopOptions.CardRepairsPerTick"/> a tick, so a DingTalk outage ends without a burst. A repair whose
/// call failed ends the pass and the next repairs wait <see cref="s_restAfterFailure"/>: each failing call spends its
/// retries first (seconds when DingTalk throttles), and the tick that evaluates the policies waits for this pass, so a
/// failing DingTalk must not hold every decision back in a storm. Rows of a policy group whose cards were not delivered
/// join the group's card once one of them is delivered, as they would have at their creation.
/// </summary>
public sealed class CardReconciler(
    IProposalStore store,
    ProposalWriter writer,
    CardSync cards,
    Announcer announcer,
    IOptions<ControlLoopOptions> options,
    TimeProvider time)
{
    /// <summary>How often an undelivered card is tried again.</summary>
    private static readonly TimeSpan s_resendAfter = TimeSpan.FromSeconds(30);

    /// <summary>Time the tap path has to show a decision it recorded before the reconciler does.</summary>
    private static readonly TimeSpan s_tapGrace = TimeSpan.FromSeconds(5);

    /// <summary>
    /// How long after its decision a proposal's unrecorded card is looked for. The first tick past the grace finds it;
    /// a day covers a DingTalk outage or a night without a leader, and by then the card has scrolled out of the group's
    /// view. A replica upgraded into a long history does not go through all of it.
    /// </summary>
    private static readonly TimeSpan s_findCardFor = TimeSpan.FromDays(1);

    /// <summary>
    /// How long the repairs wait after one failed. Storm walkthrough (DingTalk degraded): with ten cards to deliver or
    /// update and DingTalk throttling, each call spent about 4 s on retries and the loop ticked every 16–20 s instead of
    /// every second, so the policies of the storm were evaluated a third as often.
    /// </summary>
    private static readonly TimeSpan s_restAfterFailure = TimeSpan.FromSeconds(5);

    /// <summary>When each proposal's card was last sent or looked for, so a failing DingTalk is asked again only after <see cref="s_resendAfter"/>.</summary>
    private readonly Dictionary<string, DateTimeOffset> _lastTry = new(StringComparer.Ordinal);

    /// <summary>When each proposal's card update last failed, so it is asked again only after <see cref="s_resendAfter"/> (a delivery's try is in <see cref="_lastTry"/>).</summary>
    private readonly Dictionary<string, DateTimeOffset> _updateFailed = new(StringComparer.Ordinal);

    /// <summary>Until when no repair is tried: a call failed.</summary>
    private DateTimeOffset _restUntil = DateTimeOffset.MinValue;

    public async Task ReconcileAsync(IReadOnlyDictionary<string, ScalePolicy> policies, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var grace = TimeSpan.FromSeconds(options.Value.ApplyClaimSeconds);
        var budget = options.Value.CardRepairsPerTick;
        ForgetOldTries(now);
        var all = await store.ListAsync(null, cancellationToken);
        var delivered = new List<ScaleProposal>(); // this pass's deliveries: the watch cache may not have them yet
        foreach (var proposal in all)
        {
            if (budget <= 0 || now < _restUntil)
            {
                return;
            }

            if (CardState.IsStale(proposal) && !InFlight(proposal, now, grace) && !FailedRecently(_updateFailed, proposal, now))
            {
                budget--;
                // The list comes from the watch cache, which can trail this replica's own last write (a tap it has
                // just shown): rendered from that, the card would go back a step until the next pass.
                var read = await writer.ReadAsync(proposal, cancellationToken);
                if (ReferenceEquals(await cards.ShowAsync(read, cancellationToken), read) && CardState.IsStale(read))
                {
                    _updateFailed[proposal.Key] = now; // the update failed: nothing was recorded
                    _restUntil = now + s_restAfterFailure;
                }
            }
            else if (!policies.TryGetValue($"{proposal.Metadata.Namespace}/{proposal.Spec.PolicyName}", out var policy))
            {
                continue;
            }
            else if (NeedsDelivery(proposal, now, grace))
            {
                budget--;
                if (GroupCardLead.Of(all.Concat(delivered), policy, now) is { } lead && lead.Key != proposal.Key)
                {
                    await JoinGroupCardAsync(proposal, lead, now, cancellationToken);
                }
                else if (await DeliverAsync(proposal, policy, now, cancellationToken) is { } sent)
                {
                    delivered.Add(sent);
                }
            }
            else if (NeedsFinding(proposal, now, grace) && CardGroup(proposal, policy) is { Length: > 0 } group)
            {
                budget--;
                await FindAsync(proposal, group, now, cancellationToken);
            }
            else if (NeedsBurstCard(proposal, now) && announcer.AutoCardGroup(policy) is { } notices)
            {
                // Looked at once per retry interval, due or not: finding the burst reads every proposal, and a step
                // left before its burst's delivered card stays in the window for half an hour.
                Tried(proposal, now);
                if (AutoNoticeRules.UndeliveredBurst(proposal, all, notices, now, AutoNoticeWindow) is { Count: > 0 } burst)
                {
                    budget--;
                    await DeliverBurstAsync(burst, notices, now, cancellationToken);
                }
            }
        }
    }

    private TimeSpan AutoNoticeWindow => TimeSpan.FromSeconds(options.Value.AutoNoticeWindowSeconds);

    /// <summary>
    /// A change whose own card update is still on its way: an apply running under a live claim (it shows the outcome),
    /// or a tap just recorded (the tap path shows it). Repairing those too would update the card twice.
    /// </summary>
    private static bool InFlight(ScaleProposal proposal, DateTimeOffset now, TimeSpan claim)
    {
        var status = proposal.Status;
        var lastDecision = status.Rejection?.At ?? status.Approvals.LastOrDefault()?.At;
        return (status.Phase == ProposalPhase.Applying && now - (status.History.LastOrDefault()?.At ?? now) < claim)
            || (lastDecision is { } at && now - at < s_tapGrace);
    }

    /// <summary>A pending proposal that has no card, or whose send failed, older than the grace a fresh send needs.</summary>
    private bool NeedsDelivery(ScaleProposal proposal, DateTimeOffset now, TimeSpan grace) =>
        proposal.Status.Phase == ProposalPhase.Pending
        && proposal.Status.Card is null or { Error: not null }
        && now - ProposalFactory.CreatedAt(proposal) > grace
        && DueForTry(proposal, now);

    /// <summary>
    /// A decided proposal without a record of its card, decided more than the grace ago (an automatic step's card,
    /// sent right after its apply, is recorded by then) and less than <see cref="s_findCardFor"/> ago. Nothing else
    /// updates such a card: a card is found by others through its record only.
    /// </summary>
    private bool NeedsFinding(ScaleProposal proposal, DateTimeOffset now, TimeSpan grace) =>
        proposal.Status is { Phase: not ProposalPhase.Pending, Card: null }
        && now - (proposal.Status.History.LastOrDefault()?.At ?? ProposalFactory.CreatedAt(proposal)) is var decided
        && decided > grace && decided < s_findCardFor
        && DueForTry(proposal, now);

    /// <summary>
    /// Where the proposal's own card went, or null when it has none: a proposal put to the approvers goes to the
    /// on-call group; an automatic step, once applied, to the notice group when that takes cards (the first step of a
    /// burst has the card; the later steps join it and record it when they are made).
    /// </summary>
    private string? CardGroup(ScaleProposal proposal, ScalePolicy policy) =>
        ProposalFactory.ActionOf(proposal) == ProposalFactory.Action.Auto
            ? proposal.Status.Phase == ProposalPhase.Applied ? announcer.AutoCardGroup(policy) : null
            : ProposalFactory.WasPutToApprovers(proposal) ? policy.Spec.Approval?.OpenConversationId : null;

    /// <summary>An applied automatic step whose card has an error (its send failed, or none was found), within the notice window.</summary>
    private bool NeedsBurstCard(ScaleProposal proposal, DateTimeOffset now) =>
        ProposalFactory.ActionOf(proposal) == ProposalFactory.Action.Auto
        && proposal.Status is { Phase: ProposalPhase.Applied, Card.Error: not null }
        && now - AutoNoticeRules.StepTime(proposal) <= AutoNoticeWindow
        && DueForTry(proposal, now);

    /// <summary>
    /// One card for the steps of a burst whose cards never arrived, under the oldest step's own id, showing the whole
    /// ramp; each step then records it and what it shows, so the burst's next steps join it and it is updated in place.
    /// A step that changed meanwhile records the state shown and stays stale: the next pass shows it again.
    /// </summary>
    private async Task DeliverBurstAsync(IReadOnlyList<ScaleProposal> burst, string group, DateTimeOffset now, CancellationToken cancellationToken)
    {
        foreach (var step in burst)
        {
            Tried(step, now);
        }

        var card = new CardReference { OutTrackId = burst[0].Status.Card!.OutTrackId, OpenConversationId = group, SentAt = now };
        var rows = burst.Select(step => ProposalLifecycle.WithCard(step, card)).ToList();
        if (!await announcer.DeliverRowsAsync(rows, cancellationToken))
        {
            _restUntil = now + s_restAfterFailure;
            return;
        }

        // Newest first: after a crash between these writes the newest step records the card, so the steps before it
        // are not delivered a second card (UndeliveredBurst leaves the steps before a delivered card).
        foreach (var step in burst.Reverse())
        {
            var shown = card with { ShownState = CardState.Of(step) };
            await writer.UpdateAsync(step, p => p.Status.Card is { Error: not null } ? ProposalLifecycle.WithCard(p, shown) : null, cancellationToken);
        }
    }

    /// <summary>The card shows the decision when DingTalk has it; either way the proposal records what it found, so it is looked for once.</summary>
    private async Task FindAsync(ScaleProposal proposal, string group, DateTimeOffset now, CancellationToken cancellationToken)
    {
        Tried(proposal, now);
        if (await announcer.FindUnrecordedCardAsync(proposal, group, cancellationToken) is not { } card)
        {
            _restUntil = now + s_restAfterFailure;
            return;
        }

        var shown = CardState.SentShowing(card, proposal);
        await writer.UpdateAsync(proposal, p => p.Status.Card is null ? ProposalLifecycle.WithCard(p, shown) : null, cancellationToken);
    }

    private bool DueForTry(ScaleProposal proposal, DateTimeOffset now) => !FailedRecently(_lastTry, proposal, now);

    private static bool FailedRecently(Dictionary<string, DateTimeOffset> tries, ScaleProposal proposal, DateTimeOffset now) =>
        tries.TryGetValue(proposal.Key, out var last) && now - last <= s_resendAfter;

    private void Tried(ScaleProposal proposal, DateTimeOffset now) => _lastTry[proposal.Key] = now;

    /// <summary>
    /// A row of a policy group whose own card was not delivered joins the group's delivered card (storm walkthrough:
    /// a chain's three rows, each throttled at its creation, arrived as three one-row cards). Its card is then updated
    /// to show every row; should that fail, the row is stale and the next pass shows it.
    /// </summary>
    private async Task JoinGroupCardAsync(ScaleProposal proposal, ScaleProposal lead, DateTimeOffset now, CancellationToken cancellationToken)
    {
        Tried(proposal, now);
        var joined = await writer.UpdateAsync(proposal, p => p.Status is { Phase: ProposalPhase.Pending, Card: null or { Error: not null } } ? Joined(p, lead) : null, cancellationToken);
        if (joined is not null)
        {
            await cards.ShowCardAsync(joined, cancellationToken);
        }
    }

    /// <summary>The row on the lead's card, marked as not shown there yet: the card is updated to list it.</summary>
    private static ScaleProposal Joined(ScaleProposal row, ScaleProposal lead)
    {
        var joined = ProposalLifecycle.JoinCard(row, lead);
        return ProposalLifecycle.WithCard(joined, joined.Status.Card! with { ShownState = null });
    }

    /// <summary>Once a pass, not per try: tries long past the retry interval decide nothing any more.</summary>
    private void ForgetOldTries(DateTimeOffset now)
    {
        foreach (var tries in new[] { _lastTry, _updateFailed })
        {
            foreach (var gone in tries.Where(e => now - e.Value > 10 * s_resendAfter).Select(e => e.Key).ToList())
            {
                tries.Remove(gone);
            }
        }
    }

    /// <summary>The proposal with its card recorded when it was delivered, else null.</summary>
    private async Task<ScaleProposal?> DeliverAsync(ScaleProposal proposal, ScalePolicy policy, DateTimeOffset now, CancellationToken cancellationToken)
    {
        Tried(proposal, now);
        var card = await announcer.SendCardAsync(proposal, policy, cancellationToken);
        if (card.Error is not null)
        {
            _restUntil = now + s_restAfterFailure;
            if (card.Error == proposal.Status.Card?.Error)
            {
                return null;
            }
        }

        // Without a record the card may have been delivered before the crash. DingTalk answers a second delivery with
        // param.cardAlreadyExist and the card is updated; should it ever accept it silently instead, the card would
        // still show the first delivery: recorded as not shown yet, the next pass updates it.
        var state = CardState.Of(proposal);
        var shown = card.Error is null && proposal.Status.Card is not null ? card with { ShownState = state } : card;
        var recorded = await writer.UpdateAsync(proposal, p => CardState.Of(p) == state ? ProposalLifecycle.WithCard(p, shown) : null, cancellationToken);
        return card.Error is null ? recorded : null;
    }
}
