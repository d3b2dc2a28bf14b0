using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using ScaleControl.Core.Faults;
using ScaleControl.Core.Ports;
using ScaleControl.DingTalk.Api;
using ScaleControl.DingTalk.Cards;
using ScaleControl.DingTalk.Configuration;
using V = ScaleControl.DingTalk.Cards.ApprovalCardVariables;

namespace ScaleControl.DingTalk.Notices;

/// <summary>
/// A dependency fault as one card in the notice group (<see cref="DingTalkOptions.NoticeConversationId"/>), on the
/// card template ScaleControl already has (status <c>fault</c>/<c>resolved</c>: no buttons): created when the fault
/// opens, updated in place while it lasts, and "resolved after 7m12s" at the end. When it opens, the people in
/// <see cref="DingTalkOptions.FaultReceivers"/> are DINGed. A card that could not be created (DingTalk itself down)
/// is created on the next try, showing the state of that moment. Whether to create or update is the caller's word
/// (<c>ding</c>: the opening notice), not this replica's memory: after a leader change the new leader updates the
/// card the previous one created (its outTrackId comes from the fault's start).
/// </summary>
public sealed partial class DingTalkFaultNotifier(
    DingTalkApiClient api,
    ApprovalCardContent content,
    IOptionsMonitor<DingTalkOptions> options,
    ILogger<DingTalkFaultNotifier> logger) : IFaultNotifier
{
    public async Task<bool> ShowAsync(FaultNotice notice, bool ding, CancellationToken cancellationToken)
    {
        var settings = options.CurrentValue;
        if (string.IsNullOrEmpty(settings.NoticeConversationId))
        {
            LogNoGroup(logger, notice.Dependency);
            return true; // nowhere to show it: trying again would not help
        }

        var outTrackId = ProposalIdentity.ToOutTrackId(settings.Instance, "fault", $"{notice.Dependency}-{notice.Since.ToUnixTimeSeconds()}");
        var cardData = new CardParams(CardData(notice));
        try
        {
            if (!ding)
            {
                await api.UpdateCardAsync(new UpdateCardRequest
                {
                    OutTrackId = outTrackId,
                    CardData = cardData,
                    CardUpdateOptions = new CardUpdateOptions(UpdateCardDataByKey: true, UpdatePrivateDataByKey: true),
                }, cancellationToken);
            }
            else
            {
                await api.CreateAndDeliverCardAsync(new CreateAndDeliverCardRequest
                {
                    CardTemplateId = settings.CardTemplateId,
                    OutTrackId = outTrackId,
                    CardData = cardData,
                    OpenSpaceId = OpenSpaceIds.ImGroup(settings.NoticeConversationId),
                    ImGroupOpenSpaceModel = new ImGroupOpenSpaceModel(false, new Dictionary<string, string> { ["EN_US"] = Title(notice), ["ZH_CN"] = Title(notice) }),
                    ImGroupOpenDeliverModel = new ImGroupOpenDeliverModel(settings.EffectiveRobotCode, null),
                }, cancellationToken);
            }
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            LogFailed(logger, notice.Dependency, e.Message);
            return false;
        }

        if (ding && settings.FaultReceivers.Count > 0)
        {
            await DingAsync(settings, notice, cancellationToken);
        }

        return true;
    }

    private async Task DingAsync(DingTalkOptions settings, FaultNotice notice, CancellationToken cancellationToken)
    {
        try
        {
            await api.SendDingAsync(new DingSendRequest(settings.EffectiveRobotCode, DingEscalation.RemindType(settings.FaultDingType),
                settings.FaultReceivers.Distinct(StringComparer.Ordinal).ToList(), $"ScaleControl: {Title(notice)}"), cancellationToken);
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            LogDingFailed(logger, notice.Dependency, e.Message); // the card is in the group; the DING is not retried
        }
    }

    private Dictionary<string, string> CardData(FaultNotice notice) => new(StringComparer.Ordinal)
    {
        [V.Title] = Title(notice),
        [V.Status] = notice.Resolved ? "resolved" : "fault",
        [V.StatusText] = notice.Resolved
            ? $"resolved after {FaultNotice.Format(notice.Duration)}"
            : $"ongoing for {FaultNotice.Format(notice.Duration)} (since {content.Time(notice.Since)})",
        [V.Result] = notice.Resolved
            ? $"**{Dependency(notice.Dependency)}** is answering again; ScaleControl decides as usual."
            : $"**{Dependency(notice.Dependency)}**: {notice.Problem}\n\n{Consequence(notice.Dependency)}",
        [V.Updated] = content.Time(notice.At),
    };

    private static string Title(FaultNotice notice) =>
        $"{Dependency(notice.Dependency)} {(notice.Resolved ? "recovered" : "failing")}";

    private static string Dependency(string dependency) => dependency switch
    {
        "prometheus" => "Prometheus",
        "kubernetes" => "Kubernetes API",
        "dingtalk" => "DingTalk",
        _ => dependency,
    };

    /// <summary>What ScaleControl does meanwhile, so nobody has to guess.</summary>
    private static string Consequence(string dependency) => dependency switch
    {
        "prometheus" => "Fail static: no scale-down on missing data; schedule and announced floors still apply.",
        "kubernetes" => "Scale writes and records may fail; nothing is written blind, every write is re-checked when it answers again.",
        "dingtalk" => "Cards and notices are late; approve with scalectl or the API meanwhile. Cards catch up when DingTalk answers.",
        _ => "",
    };

    [LoggerMessage(EventId = 510, Level = LogLevel.Warning, Message = "Fault of {Dependency} not shown: no NoticeConversationId configured")]
    private static partial void LogNoGroup(ILogger logger, string dependency);

    [LoggerMessage(EventId = 511, Level = LogLevel.Warning, Message = "Fault notice for {Dependency} could not be shown ({Reason}); tried again on the next observation")]
    private static partial void LogFailed(ILogger logger, string dependency, string reason);

    [LoggerMessage(EventId = 512, Level = LogLevel.Warning, Message = "DING for the {Dependency} fault failed: {Reason}")]
    private static partial void LogDingFailed(ILogger logger, string dependency, string reason);
}
