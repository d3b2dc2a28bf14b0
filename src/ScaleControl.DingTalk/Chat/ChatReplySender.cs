using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using ScaleControl.Core.Commands;
using ScaleControl.DingTalk.Api;
using ScaleControl.DingTalk.Cards;
using ScaleControl.DingTalk.Configuration;

namespace ScaleControl.DingTalk.Chat;

/// <summary>
/// Answers a chat message. Public answers go back through the message's session webhook (no token needed: the
/// session is the credential, so none is sent); when the session has expired or is refused (errcode 300001) they go
/// as a robot message instead (group: groupMessages/send; one-to-one: oToMessages/batchSend). Private answers
/// (refusals, errors, confirmations) asked in a group go to the sender alone as a one-to-one robot message.
/// </summary>
public sealed partial class ChatReplySender(
    DingTalkApiClient api,
    IHttpClientFactory httpClients,
    IOptionsMonitor<DingTalkOptions> options,
    GroupTimes times,
    TimeProvider time,
    ILogger<ChatReplySender> logger)
{
    /// <summary>A session this close to its expiry is not trusted any more: the answer takes the robot API instead.</summary>
    private static readonly TimeSpan s_expiryMargin = TimeSpan.FromSeconds(30);

    public async Task SendAsync(ChatbotMessage message, CommandReply reply, CancellationToken cancellationToken)
    {
        // A refusal or a notice line from the services carries their UTC times; the answer's own are in the zone already.
        reply = reply with { Markdown = times.Localize(reply.Markdown) };
        var robotCode = options.CurrentValue.EffectiveRobotCode;
        var msgParam = JsonSerializer.Serialize(new { title = reply.Title, text = reply.Markdown });
        // Without a staff id (someone outside the organisation) no one-to-one message can reach the sender: the answer, a
        // refusal that says why, goes back into the conversation the message came from.
        if (reply.Private && message.IsGroup && message.SenderStaffId.Length > 0)
        {
            await SendPrivatelyAsync(message, robotCode, msgParam, cancellationToken);
            return;
        }

        if (await TrySessionWebhookAsync(message, reply, cancellationToken))
        {
            return;
        }

        if (message.IsGroup)
        {
            await api.SendGroupMessageAsync(new GroupMessageRequest("sampleMarkdown", msgParam, message.ConversationId, robotCode), cancellationToken);
        }
        else if (message.SenderStaffId.Length > 0)
        {
            await SendPrivatelyAsync(message, robotCode, msgParam, cancellationToken);
        }
        else
        {
            LogUndeliverable(logger, message.MsgId, "no staff id and no live session webhook");
        }
    }

    /// <summary>
    /// DingTalk answers 200 even when the message reached nobody: the sender is then listed as invalid or flow-controlled.
    /// Nothing else can carry a private answer (the group must not see it), so it is logged.
    /// </summary>
    private async Task SendPrivatelyAsync(ChatbotMessage message, string robotCode, string msgParam, CancellationToken cancellationToken)
    {
        var result = await api.SendOneToOneMessageAsync(new OneToOneMessageRequest(robotCode, [message.SenderStaffId], "sampleMarkdown", msgParam), cancellationToken);
        if (result.InvalidStaffIdList?.Contains(message.SenderStaffId, StringComparer.Ordinal) == true)
        {
            LogUndeliverable(logger, message.MsgId, $"DingTalk does not know staff id {message.SenderStaffId}");
        }
        else if (result.FlowControlledStaffIdList?.Contains(message.SenderStaffId, StringComparer.Ordinal) == true)
        {
            LogUndeliverable(logger, message.MsgId, $"DingTalk flow-controlled the message to {message.SenderStaffId}");
        }
    }

    private async Task<bool> TrySessionWebhookAsync(ChatbotMessage message, CommandReply reply, CancellationToken cancellationToken)
    {
        if (message.SessionWebhook is not { } webhook
            || !Uri.TryCreate(webhook, UriKind.Absolute, out var url) || url.Scheme is not ("https" or "http")
            || message.SessionWebhookExpiresAt is not { } expires || expires - s_expiryMargin <= time.GetUtcNow())
        {
            return false;
        }

        var body = new
        {
            msgtype = "markdown",
            markdown = new { title = reply.Title, text = reply.Markdown },
            at = new { atUserIds = message.IsGroup && message.SenderStaffId.Length > 0 ? new[] { message.SenderStaffId } : [], isAtAll = false },
        };
        try
        {
            using var response = await httpClients.CreateClient(DingTalkHttpClients.Webhook).PostAsJsonAsync(url, body, cancellationToken);
            var answer = await response.Content.ReadFromJsonAsync<JsonElement>(cancellationToken);
            var errcode = answer.ValueKind == JsonValueKind.Object && answer.TryGetProperty("errcode", out var e) && e.TryGetInt32(out var code) ? code : -1;
            if (response.IsSuccessStatusCode && errcode == 0)
            {
                return true;
            }

            LogSessionRefused(logger, message.MsgId, (int)response.StatusCode, errcode);
        }
        catch (Exception error) when (error is HttpRequestException or JsonException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
        {
            LogSessionFailed(logger, message.MsgId, error.Message);
        }

        return false;
    }

    [LoggerMessage(EventId = 432, Level = LogLevel.Warning, Message = "The private answer to chat message {MsgId} reached nobody: {Reason}")]
    private static partial void LogUndeliverable(ILogger logger, string msgId, string reason);

    [LoggerMessage(EventId = 430, Level = LogLevel.Information, Message = "Session webhook of chat message {MsgId} refused the answer (HTTP {Status}, errcode {Errcode}); answering as a robot message")]
    private static partial void LogSessionRefused(ILogger logger, string msgId, int status, int errcode);

    [LoggerMessage(EventId = 431, Level = LogLevel.Warning, Message = "Session webhook of chat message {MsgId} failed ({Reason}); answering as a robot message")]
    private static partial void LogSessionFailed(ILogger logger, string msgId, string reason);
}
