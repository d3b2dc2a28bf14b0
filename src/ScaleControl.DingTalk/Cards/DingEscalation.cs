using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using ScaleControl.Core.Policies;
using ScaleControl.Core.Ports;
using ScaleControl.Core.Proposals;
using ScaleControl.DingTalk.Api;
using ScaleControl.DingTalk.Configuration;

namespace ScaleControl.DingTalk.Cards;

/// <summary>
/// DINGs the on-call people about a proposal nobody decided (§7.5). DING needs a Professional/Exclusive edition and
/// quota; when it is unavailable the people are @-mentioned in the card's group instead, and the record says so. A
/// throttled or unreachable DingTalk is no "unavailable": in a storm of cards the DINGs over the QPS limit would each
/// become a reminder card in the group, so those throw <see cref="NotifierBusyException"/> and are sent next pass. So
/// does the fallback's reminder card when DingTalk throttles it (DING unavailable in a storm): recorded as failed,
/// the card would never be escalated.
/// </summary>
public sealed partial class DingEscalation(
    DingTalkApiClient api,
    ApprovalCardContent content,
    ReminderCard reminders,
    IOptionsMonitor<DingTalkOptions> options,
    TimeProvider timeProvider,
    ILogger<DingEscalation> logger)
{
    public const string ViaDing = "ding";
    public const string ViaGroupMention = "group-mention";

    private const int Named = 5; // a DING is read on a lock screen

    /// <summary>
    /// "shop/checkout-api 6 → 26", or for a group card's rows "feed-chain, 2 services: feed/feed-api 2 → 7, feed/feed-gateway 2 → 7",
    /// or for several cards "3 cards: shop/checkout-api 6 → 26, feed/feed-api 2 → 7, …, and 35 more".
    /// </summary>
    private static string Waiting(IReadOnlyList<ScaleProposal> rows)
    {
        static string Row(ScaleProposal p) => $"{p.Metadata.Namespace}/{p.Spec.Target.Name} {p.Spec.FromReplicas} → {p.Spec.ToReplicas}";
        if (rows.Count == 1)
        {
            return Row(rows[0]);
        }

        var more = rows.Count > Named ? $", and {rows.Count - Named} more" : "";
        var cards = CardsOf(rows);
        // A conversation id means nothing on a lock screen: the DING names the cards, the group is where they are.
        var what = cards > 1 ? $"{cards} cards"
            : rows[0].Spec.Group is { } group ? $"{group}, {rows.Count} services"
            : $"{rows.Count} services"; // a hot event's row and its way back on one card
        return $"{what}: {string.Join(", ", rows.Take(Named).Select(Row))}{more}";
    }

    /// <summary>How many cards <paramref name="rows"/> are on (rows without a card: one for a group's, else one each).</summary>
    private static int CardsOf(IReadOnlyList<ScaleProposal> rows) =>
        rows.Select(r => r.Status.Card?.OutTrackId ?? r.Spec.Group ?? r.Key).Distinct(StringComparer.Ordinal).Count();

    /// <summary>
    /// One DING about <paramref name="rows"/>: one card's undecided rows, or every card of a maintenance pass that goes to
    /// the same people (then it names the cards, and its record says it was one DING for them all).
    /// </summary>
    public async Task<EscalationRecord> EscalateAsync(IReadOnlyList<ScaleProposal> rows, EscalationSpec spec, IReadOnlyList<string> receivers, CancellationToken cancellationToken)
    {
        var proposal = rows[0];
        var people = (receivers.Count > 0 ? receivers : spec.Receivers.Count > 0 ? spec.Receivers : proposal.Spec.Approvers)
            .Distinct(StringComparer.Ordinal)
            .ToList();
        if (people.Count == 0)
        {
            throw new InvalidOperationException($"proposal {proposal.Key} has nobody to escalate to");
        }

        var robotCode = options.CurrentValue.EffectiveRobotCode;
        var workload = Waiting(rows);
        var cards = CardsOf(rows);
        var expires = content.Time(rows.Min(r => r.Spec.ExpiresAt));
        var text = cards == 1 ? $"Scale approval pending: {workload}, expires {expires}" : $"Scale approvals pending: {workload}, first expires {expires}";
        var forCards = cards == 1 ? "" : $" for {cards} cards";
        var about = rows.Count == 1 ? proposal.Key : $"{proposal.Key} and {rows.Count - 1} more";

        string unavailable;
        try
        {
            var result = await api.SendDingAsync(new DingSendRequest(robotCode, RemindType(spec.DingType), people, text), cancellationToken);
            var failed = (result.FailedList ?? new Dictionary<string, IReadOnlyList<string>>())
                .SelectMany(pair => pair.Value.Select(user => (user, reason: pair.Key)))
                .ToList();
            if (failed.Count < people.Count)
            {
                LogDingSent(logger, about, people.Count - failed.Count);
                return new EscalationRecord
                {
                    At = timeProvider.GetUtcNow(),
                    DingType = spec.DingType,
                    Receivers = people,
                    Via = ViaDing,
                    Message = failed.Count == 0
                        ? $"DING {result.OpenDingId}{forCards}"
                        : $"DING {result.OpenDingId}{forCards}; not reached: " + string.Join(", ", failed.Select(f => $"{f.user} ({f.reason})")),
                };
            }

            unavailable = "DING reached nobody: " + string.Join(", ", failed.Select(f => $"{f.user} ({f.reason})"));
        }
        catch (Exception e) when (DingTalkFailures.NotNow(e, "the DING") is { } notNow)
        {
            throw new NotifierBusyException(notNow, e);
        }
        catch (DingTalkApiException e)
        {
            unavailable = $"DING unavailable ({e.Code}: {e.ErrorMessage})";
        }

        var group = proposal.Status.Card?.OpenConversationId
            ?? throw new InvalidOperationException($"{unavailable}; proposal {proposal.Key} has no card group to fall back to");
        LogDingFallback(logger, about, unavailable);
        try
        {
            await DeliverReminderAsync(rows, group, workload, people, cancellationToken);
        }
        catch (Exception e) when (DingTalkFailures.NotNow(e, "the reminder card in the group") is { } notNow)
        {
            // A throttled fallback is "not now" too: recorded as failed, nobody would ever be called about this card.
            throw new NotifierBusyException($"{unavailable}; {notNow}", e);
        }

        return new EscalationRecord
        {
            At = timeProvider.GetUtcNow(),
            DingType = spec.DingType,
            Receivers = people,
            Via = ViaGroupMention,
            Message = $"{unavailable}; @-mentioned them in the group on a reminder card{forCards} instead",
        };
    }

    /// <summary>
    /// The @-mention goes on a small reminder card (<see cref="ReminderCard"/>): the robot's group messages notify nobody.
    /// Several cards due together get one reminder card naming them, not one each.
    /// </summary>
    private Task DeliverReminderAsync(IReadOnlyList<ScaleProposal> rows, string group, string workload, IReadOnlyList<string> people, CancellationToken cancellationToken)
    {
        var several = CardsOf(rows) > 1;
        var title = several ? $"Scale approvals pending: {workload}" : $"Scale approval pending: {workload}"; // the workload and its step, or every row waiting
        return reminders.DeliverAsync(rows[0], "remind", group, new ReminderCard.Text(
            title,
            $"nobody has decided yet; {(several ? "first expires" : "expires")} {content.Time(rows.Min(r => r.Spec.ExpiresAt))}",
            $"{reminders.Mentions(people)} please decide on the approval {(several ? "cards" : "card")} above.",
            "扩容审批待决: " + workload), people, cancellationToken);
    }

    /// <summary>1 in-app, 2 SMS, 3 phone call.</summary>
    internal static int RemindType(DingType type) => type switch
    {
        DingType.Sms => 2,
        DingType.Call => 3,
        _ => 1,
    };

    [LoggerMessage(EventId = 210, Level = LogLevel.Information, Message = "DING sent for {Proposal} to {Count} people")]
    private static partial void LogDingSent(ILogger logger, string proposal, int count);

    [LoggerMessage(EventId = 211, Level = LogLevel.Warning, Message = "{Reason} for {Proposal}; falling back to an @-mention reminder card in the group")]
    private static partial void LogDingFallback(ILogger logger, string proposal, string reason);
}
