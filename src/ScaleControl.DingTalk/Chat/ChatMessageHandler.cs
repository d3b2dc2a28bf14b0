using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using ScaleControl.Core.Commands;
using ScaleControl.DingTalk.Configuration;
using ScaleControl.DingTalk.Stream;

namespace ScaleControl.DingTalk.Chat;

/// <summary>
/// One chat message to the robot: read it, drop the robot's own and repeated ones (by <c>robotCode:msgId</c> —
/// DingTalk pushes again what was not ACKed and may push twice anyway), parse the text into a Core command, have
/// the server execute it with the sender's own rights, and send the answer. A message that starts with this instance's
/// name and a colon (<see cref="ChatRouting"/>) is read without that prefix.
/// </summary>
public sealed partial class ChatMessageHandler(
    ICommandInbox inbox,
    ChatReplySender replies,
    ChatRateLimit rateLimit,
    IOptionsMonitor<DingTalkOptions> options,
    TimeProvider time,
    ILogger<ChatMessageHandler> logger)
{
    private readonly MessageIdCache _seen = new(time, TimeSpan.FromMinutes(10));

    public async Task HandleAsync(string data, CancellationToken cancellationToken)
    {
        if (!ChatbotMessage.TryParse(data, out var message, out var error))
        {
            LogUnreadable(logger, error);
            return;
        }

        if (message.FromRobotItself)
        {
            return;
        }

        await _seen.GetOrHandleAsync($"{message.RobotCode}:{message.MsgId}", async () =>
        {
            await ProcessAsync(message, cancellationToken);
            return (string?)"";
        }, out var duplicate);
        if (duplicate)
        {
            LogDuplicate(logger, message.MsgId);
        }
    }

    private async Task ProcessAsync(ChatbotMessage message, CancellationToken cancellationToken)
    {
        var perMinute = options.CurrentValue.ChatMessagesPerMinute;
        var admission = rateLimit.Admit(SenderKey(message), perMinute);
        if (admission.Verdict == ChatRateLimit.Verdict.Ignore)
        {
            LogFlooded(logger, message.MsgId, message.SenderStaffId, admission.Until);
            return;
        }

        CommandReply reply;
        try
        {
            reply = admission.Verdict == ChatRateLimit.Verdict.Refuse
                ? TooMany(message, perMinute, admission.Until)
                : await ReplyToAsync(message, cancellationToken);
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            // The message is ACKed and handled off the Stream loop, where an exception is seen by nobody: answer, and log it.
            LogReadFailed(logger, e, message.MsgId, message.SenderStaffId);
            reply = CommandReply.Refused($"That message could not be read inside ScaleControl (reference `{message.MsgId}` in its log). Nothing was changed.");
        }

        try
        {
            await replies.SendAsync(message, reply, cancellationToken);
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            LogReplyFailed(logger, e, message.MsgId);
        }
    }

    /// <summary>Who a message counts against: the person, or for someone without a staff id (outside the organisation) their DingTalk id in that conversation.</summary>
    private static string SenderKey(ChatbotMessage message) =>
        message.SenderStaffId.Length > 0 ? message.SenderStaffId : $"?{message.ConversationId}/{message.SenderId}";

    private CommandReply TooMany(ChatbotMessage message, int perMinute, DateTimeOffset until)
    {
        LogFlooded(logger, message.MsgId, message.SenderStaffId, until);
        return CommandReply.Refused(
            $"Too many messages: ScaleControl reads at most {perMinute} of yours a minute. This one was not read, nor will those you send before " +
            $"{until.UtcDateTime:HH:mm:ss} UTC be (and they get no answer); nothing was done. Send it again after that.");
    }

    private async Task<CommandReply> ReplyToAsync(ChatbotMessage message, CancellationToken cancellationToken)
    {
        if (message.MsgType != "text")
        {
            return CommandReply.Refused("I read text only. Send `help` for the commands.");
        }

        if (message.SenderStaffId.Length == 0)
        {
            return CommandReply.Refused("I cannot tell who you are (no staff id): only members of this organisation can give commands.");
        }

        var text = ChatRouting.CommandText(ChatMentions.Remove(message.Text, message.MentionedStaffIds, options.CurrentValue.UserNames), options.CurrentValue);
        var parsed = ChatCommandParser.Parse(text);
        if (parsed.Command is not { } command)
        {
            return CommandReply.Refused(parsed.Error!);
        }

        try
        {
            return await inbox.ExecuteAsync(
                new CommandRequest(command, message.SenderStaffId, message.SenderNick, text.Trim(), message.IsGroup ? message.ConversationId : null, $"{message.RobotCode}:{message.MsgId}"),
                cancellationToken);
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            LogCommandFailed(logger, e, command.Verb, message.SenderStaffId, message.MsgId);
            return CommandReply.Refused($"`{command.Verb}` failed inside ScaleControl (reference `{message.MsgId}` in its log). Check `status` before trying again.");
        }
    }

    [LoggerMessage(EventId = 420, Level = LogLevel.Warning, Message = "Chat message unreadable: {Error}")]
    private static partial void LogUnreadable(ILogger logger, string error);

    [LoggerMessage(EventId = 421, Level = LogLevel.Information, Message = "Chat message {MsgId} delivered again; already handled")]
    private static partial void LogDuplicate(ILogger logger, string msgId);

    [LoggerMessage(EventId = 422, Level = LogLevel.Error, Message = "Chat command {Verb} from {Sender} ({MsgId}) failed")]
    private static partial void LogCommandFailed(ILogger logger, Exception exception, string verb, string sender, string msgId);

    [LoggerMessage(EventId = 424, Level = LogLevel.Error, Message = "Chat message {MsgId} from {Sender} could not be read")]
    private static partial void LogReadFailed(ILogger logger, Exception exception, string msgId, string sender);

    [LoggerMessage(EventId = 425, Level = LogLevel.Warning, Message = "Chat message {MsgId} from {Sender} not read: over the per-person limit until {Until:u}")]
    private static partial void LogFlooded(ILogger logger, string msgId, string sender, DateTimeOffset until);

    [LoggerMessage(EventId = 423, Level = LogLevel.Warning, Message = "Answer to chat message {MsgId} could not be sent")]
    private static partial void LogReplyFailed(ILogger logger, Exception exception, string msgId);
}
