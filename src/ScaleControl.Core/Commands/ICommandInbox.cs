namespace ScaleControl.Core.Commands;

/// <summary>A chat command with who sent it, and where (the channel's own ids), and the text as typed (for the audit).</summary>
/// <param name="Sender">The sender's id in the chat system (DingTalk: senderStaffId, i.e. the userId).</param>
/// <param name="Conversation">The group the message came from; null in a one-to-one chat with the robot.</param>
/// <param name="MessageId">
/// The message's id in the chat system (DingTalk: <c>robotCode:msgId</c>): the same message delivered again, to this
/// replica or another, is the same request, and an override it makes is recorded once.
/// </param>
public sealed record CommandRequest(ChatCommand Command, string Sender, string SenderName, string Text, string? Conversation, string? MessageId = null);

public enum CommandOutcome
{
    /// <summary>Answered or done; the answer may go to the conversation.</summary>
    Done,

    /// <summary>Not allowed, or not possible now (stale replicas, no such workload): told to the sender only.</summary>
    Refused,

    /// <summary>Risky: nothing happened yet; the sender (or another approver) confirms with the code given.</summary>
    NeedsConfirmation,
}

/// <summary>The answer: short markdown that reads well on a phone; <paramref name="Private"/> answers go to the sender only.</summary>
public sealed record CommandReply(CommandOutcome Outcome, string Title, string Markdown)
{
    public bool Private => Outcome != CommandOutcome.Done;

    /// <summary>The proposal the command created and that still waits for an approver, if any.</summary>
    public string? ProposalName { get; init; }

    public static CommandReply Done(string title, string markdown) => new(CommandOutcome.Done, title, markdown);

    public static CommandReply Refused(string markdown) => new(CommandOutcome.Refused, "Refused", markdown);
}

/// <summary>Where chat commands are executed, with the sender's own rights (implemented by the server).</summary>
public interface ICommandInbox
{
    Task<CommandReply> ExecuteAsync(CommandRequest request, CancellationToken cancellationToken);
}
