using ScaleControl.Core.Commands;

namespace ScaleControl.DingTalk.Chat;

/// <summary>The inbox when the host registers none: every command is answered, privately, that chat commands are off.</summary>
internal sealed class CommandsUnavailable : ICommandInbox
{
    public Task<CommandReply> ExecuteAsync(CommandRequest request, CancellationToken cancellationToken) =>
        Task.FromResult(CommandReply.Refused("Chat commands are not enabled on this ScaleControl server."));
}
