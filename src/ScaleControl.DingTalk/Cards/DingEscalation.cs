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
/// become a reminder card in the group, so those throw <see cref="NotifierBusyException"/> and are sent next pass.
/// </summary>
public sealed partial class DingEscalation(
    DingTalkApiClient api,
    ApprovalCardContent content,
    IOptionsMonitor<DingTalkOptions> options,
    TimeProvider timeProvider,
    ILogger<DingEscalation> logger)
{
    public const string ViaDing = "ding";
    public const string ViaGroupMention = "group-mention";

    /// <summary>"shop/checkout-api 6 → 26", or for a group card's rows "feed-chain, 2 services: feed/feed-api 2 → 7, feed/feed-gateway 2 → 7".</summary>
    private static string Waiting(IReadOnlyList<ScaleProposal> rows)
    {
        static string Row(ScaleProposal p) => $"{p.Metadata.Namespace}/{p.Spec.Target.Name} {p.Spec.FromReplicas} → {p.Spec.ToReplicas}";
        if (rows.Count == 1)
        {
            return Row(rows[0]);
        }

        const int Named = 5; // a DING is read on a lock screen
        var more = rows.Count > Named ? $", and {rows.Count - Named} more" : "";
        return $"{rows[0].Spec.Group}, {rows.Count} services: {string.Join(", ", rows.Take(Named).Select(Row))}{more}";
    }

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
        var text = $"Scale approval pending: {workload}, expires {content.Time(proposal.Spec.ExpiresAt)}";

        string unavailable;
        try
        {
            var result = await api.SendDingAsync(new DingSendRequest(robotCode, RemindType(spec.DingType), people, text), cancellationToken);
            var failed = (result.FailedList ?? new Dictionary<string, IReadOnlyList<string>>())
                .SelectMany(pair => pair.Value.Select(user => (user, reason: pair.Key)))
                .ToList();
            if (failed.Count < people.Count)
            {
                LogDingSent(logger, proposal.Key, people.Count - failed.Count);
                return new EscalationRecord
                {
                    At = timeProvider.GetUtcNow(),
                    DingType = spec.DingType,
                    Receivers = people,
                    Via = ViaDing,
                    Message = failed.Count == 0
                        ? $"DING {result.OpenDingId}"
                        : $"DING {result.OpenDingId}; not reached: " + string.Join(", ", failed.Select(f => $"{f.user} ({f.reason})")),
                };
            }

            unavailable = "DING reached nobody: " + string.Join(", ", failed.Select(f => $"{f.user} ({f.reason})"));
        }
        catch (DingTalkApiException e) when (DingTalkErrorCodes.IsRetryable(e.StatusCode, e.Code))
        {
            throw new NotifierBusyException($"DING throttled or DingTalk busy ({e.Code}: {e.ErrorMessage})", e);
        }
        catch (DingTalkApiException e)
        {
            unavailable = $"DING unavailable ({e.Code}: {e.ErrorMessage})";
        }
        catch (Exception e) when (DingTalkFailures.IsCallFailure(e))
        {
            throw new NotifierBusyException($"DingTalk unreachable for the DING ({e.Message})", e);
        }

        var group = proposal.Status.Card?.OpenConversationId
            ?? throw new InvalidOperationException($"{unavailable}; proposal {proposal.Key} has no card group to fall back to");
        LogDingFallback(logger, proposal.Key, unavailable);
        await DeliverReminderAsync(proposal, group, workload, people, cancellationToken);
        return new EscalationRecord
        {
            At = timeProvider.GetUtcNow(),
            DingType = spec.DingType,
            Receivers = people,
            Via = ViaGroupMention,
            Message = $"{unavailable}; @-mentioned them in the group on a reminder card instead",
        };
    }

    /// <summary>
    /// The @-mention goes on a small card: a card's delivery is what notifies the people it @-mentions. The robot's group
    /// messages (groupMessages/send) take no @ at all; an <c>@name</c> in their text is shown as plain text and
    /// notifies nobody. The card has no buttons (status <c>reminder</c>): the decision is taken on the approval card.
    /// </summary>
    private async Task DeliverReminderAsync(ScaleProposal proposal, string group, string workload, IReadOnlyList<string> people, CancellationToken cancellationToken)
    {
        var settings = options.CurrentValue;
        var title = $"Scale approval pending: {workload}"; // the workload and its step, or every row of a group card
        var outTrackId = ProposalIdentity.ToOutTrackId(
            settings.Instance, "remind", $"{proposal.Metadata.Namespace}.{proposal.Metadata.Name}-{timeProvider.GetUtcNow().ToUnixTimeSeconds()}");
        var result = await api.CreateAndDeliverCardAsync(new CreateAndDeliverCardRequest
        {
            CardTemplateId = settings.CardTemplateId,
            OutTrackId = outTrackId,
            CardData = new CardParams(new Dictionary<string, string>(StringComparer.Ordinal)
            {
                [ApprovalCardVariables.Title] = title,
                [ApprovalCardVariables.Status] = "reminder",
                [ApprovalCardVariables.StatusText] = $"nobody has decided yet; expires {content.Time(proposal.Spec.ExpiresAt)}",
                [ApprovalCardVariables.Result] = $"{string.Join(' ', people.Select(user => "@" + content.DisplayName(user)))} please decide on the approval card above.",
            }),
            OpenSpaceId = OpenSpaceIds.ImGroup(group),
            ImGroupOpenSpaceModel = new ImGroupOpenSpaceModel(false, new Dictionary<string, string> { ["ZH_CN"] = "扩容审批待决: " + workload, ["EN_US"] = title }),
            ImGroupOpenDeliverModel = new ImGroupOpenDeliverModel(
                settings.EffectiveRobotCode, people.ToDictionary(user => user, content.DisplayName, StringComparer.Ordinal)),
        }, cancellationToken);
        if (result.DeliverResults?.FirstOrDefault(r => !r.Success) is { } failed)
        {
            throw new InvalidOperationException($"the reminder card could not be delivered to {group}: {failed.ErrorMsg ?? "no reason given"}");
        }
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

    [LoggerMessage(EventId = 211, Level = LogLevel.Warning, Message = "{Reason} for {Proposal}; falling back to an @-mention group message")]
    private static partial void LogDingFallback(ILogger logger, string proposal, string reason);
}
