using Microsoft.Extensions.Options;
using ScaleControl.Core.Policies;
using ScaleControl.Core.Ports;
using ScaleControl.Core.Proposals;
using ScaleControl.DingTalk.Cards;
using ScaleControl.DingTalk.Configuration;
using ScaleControl.DingTalk.Notices;
using ScaleControl.Server.Telemetry;

namespace ScaleControl.Server.Control.Actuation;

/// <summary>
/// Everything the outside world is told about a proposal, best-effort: the Kubernetes Event on the workload, the card
/// update and, where the policy routes notices, a DingTalk notice. Failures are logged and counted, never thrown:
/// the scale action and the ScaleProposal record are the source of truth.
/// </summary>
public sealed class Announcer(
    IProposalStore proposals,
    IEventRecorder events,
    IApprovalNotifier cards,
    INoticePublisher notices,
    IOptions<DingTalkOptions> dingTalk,
    FaultNotices faults,
    TimeProvider time,
    ILogger<Announcer> logger)
{
    public Task EventAsync(ScaleProposal proposal, string reason, string message, bool warning, CancellationToken cancellationToken) =>
        EventAsync(ProposalFactory.TargetOf(proposal), reason, message, warning, cancellationToken);

    public async Task EventAsync(WorkloadRef target, string reason, string message, bool warning, CancellationToken cancellationToken)
    {
        try
        {
            await events.RecordAsync(target, reason, message, warning, cancellationToken);
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
        {
            logger.NotifyFailed(ex, $"event {reason}", target.Namespace, target.Name);
        }
    }

    /// <summary>
    /// Updates the proposal's card to show <paramref name="proposal"/>; returns the rows the card now shows as they were
    /// rendered (another row may be behind its truth when read from a lagging cache), or null when there is no card or
    /// DingTalk failed.
    /// </summary>
    public async Task<IReadOnlyList<ScaleProposal>?> UpdateCardAsync(ScaleProposal proposal, CancellationToken cancellationToken)
    {
        if (proposal.Status.Card is not { Error: null })
        {
            return null;
        }

        try
        {
            // A card with several rows (a group's, or a hot event's with its return to normal) shows them all.
            var rows = await CardRowsAsync(proposal, cancellationToken);
            // An automatic step's card is always shown by its rows (its first step may be gone, its id is the card's).
            if (proposal.Spec.Group is null && rows.Count == 1 && ProposalFactory.ActionOf(proposal) != ProposalFactory.Action.Auto)
            {
                await cards.UpdateProposalAsync(proposal, cancellationToken);
            }
            else
            {
                await cards.UpdateGroupAsync(rows, cancellationToken);
            }

            await faults.ObserveAsync(FaultNotices.DingTalk, null, cancellationToken);
            return rows;
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
        {
            logger.NotifyFailed(ex, "card update", proposal.Metadata.Namespace, proposal.Metadata.Name);
            await faults.ObserveAsync(FaultNotices.DingTalk, $"card update failed: {ex.Message}", cancellationToken);
            return null;
        }
    }

    /// <summary>
    /// One card showing <paramref name="rows"/> (an automatic burst whose card never arrived, each row carrying the
    /// card's reference): updated when DingTalk has it already, delivered into its group otherwise. False when DingTalk failed.
    /// </summary>
    public async Task<bool> DeliverRowsAsync(IReadOnlyList<ScaleProposal> rows, CancellationToken cancellationToken)
    {
        try
        {
            await cards.UpdateGroupAsync(rows, cancellationToken);
            await faults.ObserveAsync(FaultNotices.DingTalk, null, cancellationToken);
            return true;
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
        {
            logger.NotifyFailed(ex, "card send", rows[0].Metadata.Namespace, rows[0].Metadata.Name);
            await faults.ObserveAsync(FaultNotices.DingTalk, $"card send failed: {ex.Message}", cancellationToken);
            return false;
        }
    }

    /// <summary>
    /// The card delivered for <paramref name="proposal"/> that it holds no record of (a crash between the delivery and
    /// the write), brought up to date: the reference to record, with an error when DingTalk has no such card, or null
    /// when DingTalk failed (try again later).
    /// </summary>
    public async Task<CardReference?> FindUnrecordedCardAsync(ScaleProposal proposal, string group, CancellationToken cancellationToken)
    {
        var card = new CardReference { OutTrackId = OwnOutTrackId(proposal), OpenConversationId = group };
        try
        {
            var found = await cards.UpdateUnrecordedAsync(proposal, cancellationToken);
            await faults.ObserveAsync(FaultNotices.DingTalk, null, cancellationToken);
            return found ? card : card with { Error = "no card: DingTalk has none under this proposal's id (the replica sending it stopped first)" };
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
        {
            logger.NotifyFailed(ex, "card update", proposal.Metadata.Namespace, proposal.Metadata.Name);
            await faults.ObserveAsync(FaultNotices.DingTalk, $"card update failed: {ex.Message}", cancellationToken);
            return null;
        }
    }

    /// <summary>Every proposal sharing <paramref name="proposal"/>'s card, oldest first, with <paramref name="proposal"/> as given (it may be newer than the store's list).</summary>
    public async Task<IReadOnlyList<ScaleProposal>> CardRowsAsync(ScaleProposal proposal, CancellationToken cancellationToken)
    {
        if (proposal.Status.Card?.OutTrackId is not { } card)
        {
            return [proposal];
        }

        var all = await proposals.ListAsync(null, cancellationToken);
        return [.. all.Where(p => p.Status.Card?.OutTrackId == card && p.Key != proposal.Key)
            .Append(proposal)
            .OrderBy(ProposalFactory.CreatedAt)
            .ThenBy(p => p.Metadata.Name, StringComparer.Ordinal)];
    }

    public async Task<CardReference> SendCardAsync(ScaleProposal proposal, ScalePolicy policy, CancellationToken cancellationToken)
    {
        try
        {
            var sent = await cards.SendProposalAsync(proposal, policy, cancellationToken);
            if (sent.Error is null)
            {
                // An error here is about the card (no group configured, a space refused), not DingTalk being down.
                await faults.ObserveAsync(FaultNotices.DingTalk, null, cancellationToken);
            }

            return sent;
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
        {
            logger.NotifyFailed(ex, "card send", proposal.Metadata.Namespace, proposal.Metadata.Name);
            await faults.ObserveAsync(FaultNotices.DingTalk, $"card send failed: {ex.Message}", cancellationToken);
            return new CardReference
            {
                OutTrackId = OwnOutTrackId(proposal),
                OpenConversationId = policy.Spec.Approval?.OpenConversationId,
                Error = ex.Message,
            };
        }
    }

    private string OwnOutTrackId(ScaleProposal proposal) =>
        ProposalIdentity.ToOutTrackId(dingTalk.Value.Instance, proposal.Metadata.Namespace, proposal.Metadata.Name);

    /// <summary>
    /// One DING to <paramref name="receivers"/> about <paramref name="rows"/> (the due rows of every card that goes to
    /// them this pass): the record to keep, a <c>failed</c> one when neither the DING nor its fallback went out, or null
    /// when DingTalk was throttled or out of reach (nothing sent: the next pass tries again).
    /// </summary>
    public async Task<EscalationRecord?> EscalateAsync(IReadOnlyList<ScaleProposal> rows, EscalationSpec escalation, IReadOnlyList<string> receivers, CancellationToken cancellationToken)
    {
        try
        {
            return await cards.EscalateAsync(rows, escalation, receivers, cancellationToken);
        }
        catch (NotifierBusyException ex) when (!cancellationToken.IsCancellationRequested)
        {
            logger.NotifyFailed(ex, "escalation (tried again next tick)", rows[0].Metadata.Namespace, rows[0].Metadata.Name);
            return null;
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
        {
            logger.NotifyFailed(ex, "escalation", rows[0].Metadata.Namespace, rows[0].Metadata.Name);
            return new EscalationRecord { At = time.GetUtcNow(), DingType = escalation.DingType, Via = Queries.UnseenProposals.EscalationFailed, Message = "DING and the group fallback both failed" };
        }
    }

    /// <summary>
    /// @-mentions <paramref name="people"/>, added to the roster since the card of <paramref name="rows"/> was sent: true
    /// when that is done (sent, or failed for good and logged: the record keeps it from being tried on every tick), false
    /// when nothing went out and the next pass should try again (DingTalk throttled or out of reach, or no cards).
    /// </summary>
    public async Task<bool> MentionAddedApproversAsync(IReadOnlyList<ScaleProposal> rows, IReadOnlyList<string> people, CancellationToken cancellationToken)
    {
        try
        {
            return await cards.MentionAddedApproversAsync(rows, people, cancellationToken);
        }
        catch (NotifierBusyException ex) when (!cancellationToken.IsCancellationRequested)
        {
            logger.NotifyFailed(ex, "added approvers' mention (tried again next tick)", rows[0].Metadata.Namespace, rows[0].Metadata.Name);
            return false;
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
        {
            logger.NotifyFailed(ex, "added approvers' mention", rows[0].Metadata.Namespace, rows[0].Metadata.Name);
            return true;
        }
    }

    /// <summary>
    /// The group an Automatic policy's steps are shown in as one living card (<see cref="AutoNoticeRules"/>), or null:
    /// the policy routes no notices, or routes them to a custom-robot webhook (which cannot carry a card).
    /// </summary>
    public string? AutoCardGroup(ScalePolicy policy) =>
        policy.Spec.Notifications is { } route ? NoticeGroups.GroupOf(route, dingTalk.Value) : null;

    public Task NoticeAsync(ScalePolicy? policy, NoticeKind kind, WorkloadRef target, string title, string markdown, CancellationToken cancellationToken) =>
        policy?.Spec.Notifications is { } route ? NoticeAsync(route, kind, target, title, markdown, cancellationToken) : Task.CompletedTask;

    public async Task NoticeAsync(NotificationSpec route, NoticeKind kind, WorkloadRef target, string title, string markdown, CancellationToken cancellationToken)
    {
        try
        {
            await notices.PublishAsync(new Notice(kind, target, title, markdown, route), cancellationToken);
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
        {
            logger.NotifyFailed(ex, $"notice {kind}", target.Namespace, target.Name);
        }
    }
}
