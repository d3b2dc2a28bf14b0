using System.Text.Json;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using ScaleControl.Core.Ports;
using ScaleControl.DingTalk.Api;
using ScaleControl.DingTalk.Cards;
using ScaleControl.DingTalk.Configuration;

namespace ScaleControl.DingTalk.Notices;

/// <summary>
/// Posts short markdown notices: through a named custom-robot webhook when the route names one, else through the
/// app robot into the route's group (or the default notice group). Best-effort: failures are logged, never thrown.
/// </summary>
public sealed partial class DingTalkNoticePublisher(
    DingTalkApiClient api,
    DingTalkWebhookClient webhooks,
    WebhookRateLimiter rateLimiter,
    IOptionsMonitor<DingTalkOptions> options,
    GroupTimes times,
    ILogger<DingTalkNoticePublisher> logger) : INoticePublisher
{
    public async Task PublishAsync(Notice notice, CancellationToken cancellationToken)
    {
        var settings = options.CurrentValue;
        // The services write times in UTC (the Event and the history keep them so); the group reads its own zone.
        notice = notice with { Title = times.Localize(notice.Title), Markdown = times.Localize(notice.Markdown) };
        try
        {
            if (notice.Route?.Webhook is { Length: > 0 } webhookName)
            {
                await PublishToWebhookAsync(settings, webhookName, notice, cancellationToken);
                return;
            }

            var group = NoticeGroups.GroupOf(notice.Route, settings);
            if (group is null)
            {
                LogNoRoute(logger, notice.Kind, notice.Target.ToString());
                return;
            }

            var msgParam = JsonSerializer.Serialize(new { title = notice.Title, text = notice.Markdown });
            await api.SendGroupMessageAsync(new GroupMessageRequest("sampleMarkdown", msgParam, group, settings.EffectiveRobotCode), cancellationToken);
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            LogFailed(logger, e, notice.Kind, notice.Target.ToString());
        }
    }

    private async Task PublishToWebhookAsync(DingTalkOptions settings, string webhookName, Notice notice, CancellationToken cancellationToken)
    {
        if (!settings.Webhooks.TryGetValue(webhookName, out var webhook))
        {
            LogUnknownWebhook(logger, webhookName, notice.Kind);
            return;
        }

        if (!rateLimiter.TryAcquire(webhookName, webhook.MaxMessagesPerMinute))
        {
            LogRateLimited(logger, webhookName, notice.Kind);
            return;
        }

        await webhooks.SendMarkdownAsync(webhook, notice.Title, notice.Markdown, cancellationToken);
    }

    [LoggerMessage(EventId = 500, Level = LogLevel.Debug, Message = "Notice {Kind} for {Target} has no route; not posted")]
    private static partial void LogNoRoute(ILogger logger, NoticeKind kind, string target);

    [LoggerMessage(EventId = 501, Level = LogLevel.Warning, Message = "Notice {Kind} names webhook {Webhook}, which is not configured; not posted")]
    private static partial void LogUnknownWebhook(ILogger logger, string webhook, NoticeKind kind);

    [LoggerMessage(EventId = 502, Level = LogLevel.Warning, Message = "Webhook {Webhook} is at its per-minute limit; notice {Kind} dropped")]
    private static partial void LogRateLimited(ILogger logger, string webhook, NoticeKind kind);

    [LoggerMessage(EventId = 503, Level = LogLevel.Warning, Message = "Notice {Kind} for {Target} could not be posted")]
    private static partial void LogFailed(ILogger logger, Exception exception, NoticeKind kind, string target);
}
