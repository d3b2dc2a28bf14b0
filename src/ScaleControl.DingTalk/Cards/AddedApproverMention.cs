using Microsoft.Extensions.Logging;
using ScaleControl.Core.Ports;
using ScaleControl.Core.Proposals;
using ScaleControl.DingTalk.Api;

namespace ScaleControl.DingTalk.Cards;

/// <summary>
/// Calls the approvers added to a policy's roster after its card was sent. The card's own @-mentions went out with its
/// delivery, and a card update carries none (DingTalk's update has no <c>atUserIds</c>), so they get one short reminder
/// card in the card's group that @-mentions them and points at the approval card. The caller records them on the
/// proposal, so each is called once per proposal.
/// </summary>
public sealed partial class AddedApproverMention(ReminderCard reminders, ApprovalCardContent content, ILogger<AddedApproverMention> logger)
{
    /// <summary>
    /// @-mentions <paramref name="people"/> about the card <paramref name="rows"/> share (one, or a group card's waiting
    /// rows). Throws <see cref="NotifierBusyException"/> when DingTalk is throttled or out of reach (nothing was sent).
    /// </summary>
    public async Task MentionAsync(IReadOnlyList<ScaleProposal> rows, IReadOnlyList<string> people, CancellationToken cancellationToken)
    {
        var card = rows[0].Status.Card;
        var group = card?.OpenConversationId ?? throw new InvalidOperationException($"proposal {rows[0].Key} has no card group");
        var what = rows.Count == 1 ? Row(rows[0]) : $"{rows[0].Spec.Group ?? "a group card"}, {rows.Count} services: {string.Join(", ", rows.Take(5).Select(Row))}";
        var sent = card.SentAt is { } at ? $" (sent {content.Time(at)})" : "";
        var text = new ReminderCard.Text(
            $"Added as an approver: {what}",
            $"waiting for a decision; expires {content.Time(rows.Min(r => r.Spec.ExpiresAt))}",
            $"{reminders.Mentions(people)} you were added as an approver since this was asked: please decide on the approval card above{sent}.",
            "新增审批人, 扩容审批待决: " + what);
        try
        {
            await reminders.DeliverAsync(rows[0], "added", group, text, people, cancellationToken);
        }
        catch (Exception e) when (DingTalkFailures.NotNow(e, "the added approvers' mention") is { } notNow)
        {
            throw new NotifierBusyException(notNow, e);
        }

        LogMentioned(logger, rows[0].Key, people.Count);
    }

    private static string Row(ScaleProposal p) => $"{p.Metadata.Namespace}/{p.Spec.Target.Name} {p.Spec.FromReplicas} → {p.Spec.ToReplicas}";

    [LoggerMessage(EventId = 212, Level = LogLevel.Information, Message = "Card of {Proposal}: @-mentioned {Count} approvers added to the roster since it was sent")]
    private static partial void LogMentioned(ILogger logger, string proposal, int count);
}
