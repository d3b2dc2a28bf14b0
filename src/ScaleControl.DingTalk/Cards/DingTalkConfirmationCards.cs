using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using ScaleControl.Core.Commands;
using ScaleControl.Core.Text;
using ScaleControl.DingTalk.Api;
using ScaleControl.DingTalk.Configuration;
using V = ScaleControl.DingTalk.Cards.ApprovalCardVariables;

namespace ScaleControl.DingTalk.Cards;

/// <summary>
/// A risky chat command's confirmation as a card on the approval template (status <c>confirm_pending</c> shows its
/// Confirm button): in the group it came from, visible to the confirmers only (<c>recipients</c>), or, asked in a
/// one-to-one chat with the robot, in each confirmer's one-to-one chat with it. Its outTrackId carries the code, so a tap comes back as <c>confirm &lt;code&gt;</c>.
/// </summary>
public sealed partial class DingTalkConfirmationCards(
    DingTalkApiClient api,
    ApprovalCardContent content,
    IOptionsMonitor<DingTalkOptions> options,
    ILogger<DingTalkConfirmationCards> logger) : IConfirmationCards
{
    public const string OutTrackIdPrefix = "confirm.";

    /// <summary>The card's status while it waits: the template shows Confirm.</summary>
    public const string Pending = "confirm_pending";

    public static string OutTrackId(string code) => OutTrackIdPrefix + code;

    public static bool TryParseCode(string outTrackId, out string code)
    {
        code = outTrackId.StartsWith(OutTrackIdPrefix, StringComparison.Ordinal) ? outTrackId[OutTrackIdPrefix.Length..] : "";
        return code.Length is > 0 and <= 12 && code.All(char.IsAsciiLetterOrDigit);
    }

    public async Task SendAsync(ConfirmationCard card, CancellationToken cancellationToken)
    {
        var settings = options.CurrentValue;
        var data = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            [V.Title] = card.Title,
            [V.Reason] = card.Markdown,
            [V.Status] = Pending,
            [V.StatusText] = $"Waiting for {string.Join(" or ", card.Confirmers.Select(content.DisplayName))} to confirm, expires {content.Time(card.ExpiresAt)}",
            [V.ExpiresAt] = content.Time(card.ExpiresAt),
            [V.Result] = "",
            [V.DecidedBy] = "",
        };
        var inGroup = card.Conversation is { Length: > 0 };
        var request = new CreateAndDeliverCardRequest
        {
            CardTemplateId = settings.CardTemplateId,
            OutTrackId = OutTrackId(card.Code),
            CardData = new CardParams(data),
            // Asked in a one-to-one chat, the card goes into each confirmer's own chat with the robot: under the two-person
            // rule the confirmer is another approver, who never sees the sender's chat.
            OpenSpaceId = inGroup ? OpenSpaceIds.ImGroup(card.Conversation!) : OpenSpaceIds.ImRobots(card.Confirmers),
            CallbackType = settings.CallbackMode == DingTalkCallbackMode.Http ? "HTTP" : "STREAM",
            CallbackRouteKey = settings.CallbackMode == DingTalkCallbackMode.Http ? settings.CallbackRouteKey : null,
            ImGroupOpenSpaceModel = inGroup
                ? new ImGroupOpenSpaceModel(SupportForward: false, new Dictionary<string, string> { ["ZH_CN"] = "确认: " + card.Title, ["EN_US"] = "Confirm: " + card.Title })
                : null,
            ImGroupOpenDeliverModel = inGroup
                ? new ImGroupOpenDeliverModel(settings.EffectiveRobotCode, card.Confirmers.ToDictionary(u => u, content.DisplayName, StringComparer.Ordinal), card.Confirmers)
                : null,
            ImRobotOpenSpaceModel = inGroup ? null : new ImRobotOpenSpaceModel(SupportForward: false),
            ImRobotOpenDeliverModel = inGroup ? null : new ImRobotOpenDeliverModel(settings.EffectiveRobotCode),
        };

        try
        {
            var result = await api.CreateAndDeliverCardAsync(request, cancellationToken);
            if (result.DeliverResults?.FirstOrDefault(r => !r.Success) is { } failed)
            {
                LogNotDelivered(logger, card.Code, failed.ErrorMsg ?? "no reason given");
            }
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            LogNotDelivered(logger, card.Code, e.Message);
        }
    }

    public async Task CloseAsync(string code, string status, string result, CancellationToken cancellationToken)
    {
        try
        {
            await api.UpdateCardAsync(new UpdateCardRequest
            {
                OutTrackId = OutTrackId(code),
                CardData = new CardParams(new Dictionary<string, string> { [V.Status] = status, [V.StatusText] = status, [V.Result] = Short(content.Localize(result)) }),
                CardUpdateOptions = new CardUpdateOptions(UpdateCardDataByKey: true, UpdatePrivateDataByKey: true),
            }, cancellationToken);
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            LogNotDelivered(logger, code, e.Message);
        }
    }

    private static string Short(string text) => ShownText.Cut(text, 300);

    [LoggerMessage(EventId = 320, Level = LogLevel.Warning, Message = "Confirmation card {Code} not delivered ({Error}); `confirm <code>` still works")]
    private static partial void LogNotDelivered(ILogger logger, string code, string error);
}
