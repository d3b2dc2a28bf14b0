using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using ScaleControl.Core.Policies;
using ScaleControl.Core.Ports;
using ScaleControl.Core.Proposals;
using ScaleControl.DingTalk.Api;
using ScaleControl.DingTalk.Configuration;
using ScaleControl.DingTalk.Notices;

namespace ScaleControl.DingTalk.Cards;

/// <summary>
/// Sends a proposal as an interactive card into the on-call group and keeps it current. The card's outTrackId is
/// the proposal's identity, so a retried send finds the card already there and updates it instead.
/// </summary>
public sealed partial class DingTalkCardNotifier(
    DingTalkApiClient api,
    ApprovalCardContent content,
    DingEscalation escalation,
    AddedApproverMention addedApprovers,
    IOptionsMonitor<DingTalkOptions> options,
    TimeProvider timeProvider,
    ILogger<DingTalkCardNotifier> logger) : IApprovalNotifier
{
    public async Task<CardReference> SendProposalAsync(ScaleProposal proposal, ScalePolicy policy, CancellationToken cancellationToken)
    {
        var outTrackId = OwnOutTrackId(proposal);
        // An automatic step's card is a notice: it goes where the policy's notices go and calls nobody.
        var automatic = ProposalFactory.ActionOf(proposal) == ProposalFactory.Action.Auto;
        var group = automatic ? NoticeGroups.GroupOf(policy.Spec.Notifications, options.CurrentValue) : policy.Spec.Approval?.OpenConversationId;
        if (string.IsNullOrWhiteSpace(group))
        {
            return Failed(outTrackId, null, automatic
                ? $"policy {policy.Key} routes notices to no DingTalk group (notifications.openConversationId or NoticeConversationId)"
                : $"policy {policy.Key} names no DingTalk group (approval.openConversationId)");
        }

        var cardData = content.Build(proposal);
        var request = DeliverRequest(outTrackId, group, cardData, automatic ? [] : proposal.Spec.Approvers);
        try
        {
            var result = await api.CreateAndDeliverCardAsync(request, cancellationToken);
            var failures = (result.DeliverResults ?? [])
                .Where(r => !r.Success)
                .Select(r => $"delivery to {r.SpaceType} {r.SpaceId} failed: {r.ErrorMsg ?? "no reason given"}")
                .ToList();
            if (failures.Count > 0 || result.DeliverResults is not { Count: > 0 })
            {
                var error = failures.Count > 0 ? string.Join("; ", failures) : "DingTalk reported no delivery";
                return Failed(outTrackId, group, error);
            }

            LogCardSent(logger, outTrackId, group);
            return new CardReference { OutTrackId = outTrackId, OpenConversationId = group, SentAt = timeProvider.GetUtcNow() };
        }
        catch (DingTalkApiException e) when (e.Code == DingTalkErrorCodes.CardAlreadyExists)
        {
            // A retry after an ambiguous failure: the card exists, so bring it up to date (§9.3).
            await UpdateProposalAsync(proposal, cancellationToken);
            LogCardAlreadyExisted(logger, outTrackId);
            return new CardReference { OutTrackId = outTrackId, OpenConversationId = group, SentAt = timeProvider.GetUtcNow() };
        }
        catch (Exception e) when (DingTalkFailures.IsCallFailure(e))
        {
            return Failed(outTrackId, group, e is DingTalkApiException ? e.Message : "DingTalk unreachable: " + e.Message);
        }
    }

    /// <summary>Merges the proposal's current state into the card (by key, so nothing else on it is lost).</summary>
    public Task UpdateProposalAsync(ScaleProposal proposal, CancellationToken cancellationToken) =>
        UpdateOrRedeliverAsync(OwnOutTrackId(proposal), proposal.Status.Card?.OpenConversationId, content.Build(proposal), cancellationToken);

    /// <summary>
    /// The card under the proposal's own outTrackId, shown as <see cref="UpdateProposalAsync"/> shows it; DingTalk
    /// answers <c>param.cardNotExist</c> when it was never delivered, and nothing is delivered then.
    /// </summary>
    public async Task<bool> UpdateUnrecordedAsync(ScaleProposal proposal, CancellationToken cancellationToken)
    {
        var outTrackId = OwnOutTrackId(proposal);
        try
        {
            await api.UpdateCardAsync(UpdateRequest(outTrackId, content.Build(proposal)), cancellationToken);
        }
        catch (DingTalkApiException e) when (e.Code == DingTalkErrorCodes.CardNotExists)
        {
            return false;
        }

        LogUnrecordedCardFound(logger, outTrackId);
        return true;
    }

    /// <summary>Merges all rows of a group card (the first row's card) into it.</summary>
    public Task UpdateGroupAsync(IReadOnlyList<ScaleProposal> rows, CancellationToken cancellationToken) =>
        UpdateOrRedeliverAsync(
            rows[0].Status.Card?.OutTrackId ?? OwnOutTrackId(rows[0]),
            rows[0].Status.Card?.OpenConversationId,
            content.BuildGroup(rows),
            cancellationToken);

    /// <summary>
    /// DingTalk no longer knows a card it delivered (the sandbox's emulator restarted, the card was removed): it is
    /// delivered again, showing the proposal as it is now, into the group it went to. Updating it would fail on every
    /// tick, and the group would never see the outcome.
    /// </summary>
    private async Task UpdateOrRedeliverAsync(string outTrackId, string? group, IReadOnlyDictionary<string, string> cardData, CancellationToken cancellationToken)
    {
        try
        {
            await api.UpdateCardAsync(UpdateRequest(outTrackId, cardData), cancellationToken);
        }
        catch (DingTalkApiException e) when (e.Code == DingTalkErrorCodes.CardNotExists && !string.IsNullOrWhiteSpace(group))
        {
            // No @-mentions: the card comes back to show the state, not to call anyone again.
            await api.CreateAndDeliverCardAsync(DeliverRequest(outTrackId, group, cardData, mentions: []), cancellationToken);
            LogCardRedelivered(logger, outTrackId, group);
        }
    }

    private static UpdateCardRequest UpdateRequest(string outTrackId, IReadOnlyDictionary<string, string> cardData) => new()
    {
        OutTrackId = outTrackId,
        CardData = new CardParams(cardData),
        CardUpdateOptions = new CardUpdateOptions(UpdateCardDataByKey: true, UpdatePrivateDataByKey: true),
    };

    private string OwnOutTrackId(ScaleProposal proposal) =>
        ProposalIdentity.ToOutTrackId(options.CurrentValue.Instance, proposal.Metadata.Namespace, proposal.Metadata.Name);

    private CreateAndDeliverCardRequest DeliverRequest(string outTrackId, string group, IReadOnlyDictionary<string, string> cardData, IReadOnlyList<string> mentions)
    {
        var settings = options.CurrentValue;
        return new CreateAndDeliverCardRequest
        {
            CardTemplateId = settings.CardTemplateId,
            OutTrackId = outTrackId,
            CardData = new CardParams(cardData),
            OpenSpaceId = OpenSpaceIds.ImGroup(group),
            CallbackType = settings.CallbackMode == DingTalkCallbackMode.Http ? "HTTP" : "STREAM",
            CallbackRouteKey = settings.CallbackMode == DingTalkCallbackMode.Http ? settings.CallbackRouteKey : null,
            ImGroupOpenSpaceModel = new ImGroupOpenSpaceModel(
                SupportForward: false,
                cardData[ApprovalCardVariables.Status] == ApprovalCardContent.AutoStatus
                    ? new Dictionary<string, string> { ["ZH_CN"] = "自动扩缩容: " + cardData[ApprovalCardVariables.Title], ["EN_US"] = "Scaled automatically: " + cardData[ApprovalCardVariables.Title] }
                    : new Dictionary<string, string> { ["ZH_CN"] = "扩容审批: " + cardData[ApprovalCardVariables.Title], ["EN_US"] = "Scale approval: " + cardData[ApprovalCardVariables.Title] }),
            ImGroupOpenDeliverModel = new ImGroupOpenDeliverModel(
                settings.EffectiveRobotCode,
                mentions.Distinct(StringComparer.Ordinal).ToDictionary(user => user, content.DisplayName, StringComparer.Ordinal)),
        };
    }

    public Task<EscalationRecord> EscalateAsync(IReadOnlyList<ScaleProposal> rows, EscalationSpec escalationSpec, IReadOnlyList<string> receivers, CancellationToken cancellationToken) =>
        escalation.EscalateAsync(rows, escalationSpec, receivers, cancellationToken);

    public async Task<bool> MentionAddedApproversAsync(IReadOnlyList<ScaleProposal> rows, IReadOnlyList<string> people, CancellationToken cancellationToken)
    {
        await addedApprovers.MentionAsync(rows, people, cancellationToken);
        return true;
    }

    private CardReference Failed(string outTrackId, string? group, string error)
    {
        LogCardFailed(logger, outTrackId, error);
        return new CardReference { OutTrackId = outTrackId, OpenConversationId = group, Error = error };
    }

    [LoggerMessage(EventId = 200, Level = LogLevel.Information, Message = "Approval card {OutTrackId} delivered to group {OpenConversationId}")]
    private static partial void LogCardSent(ILogger logger, string outTrackId, string openConversationId);

    [LoggerMessage(EventId = 201, Level = LogLevel.Information, Message = "Approval card {OutTrackId} already existed; updated it instead")]
    private static partial void LogCardAlreadyExisted(ILogger logger, string outTrackId);

    [LoggerMessage(EventId = 203, Level = LogLevel.Warning, Message = "Approval card {OutTrackId} no longer existed in DingTalk; delivered it again to group {OpenConversationId}")]
    private static partial void LogCardRedelivered(ILogger logger, string outTrackId, string openConversationId);

    [LoggerMessage(EventId = 204, Level = LogLevel.Warning, Message = "Approval card {OutTrackId} was delivered but never recorded on its proposal (a replica stopped in between); brought it up to date")]
    private static partial void LogUnrecordedCardFound(ILogger logger, string outTrackId);

    [LoggerMessage(EventId = 202, Level = LogLevel.Warning, Message = "Approval card {OutTrackId} not delivered: {Error}")]
    private static partial void LogCardFailed(ILogger logger, string outTrackId, string error);
}
