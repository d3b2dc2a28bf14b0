using System.Collections.Concurrent;
using ScaleControl.Core.Commands;

namespace ScaleControl.DingTalk.Tests.Support;

/// <summary>Records the chat commands the adapter parsed; answers status publicly and everything else as a refusal.</summary>
internal sealed class FakeCommandInbox : ICommandInbox
{
    private readonly ConcurrentQueue<CommandRequest> _requests = new();

    public IReadOnlyList<CommandRequest> Requests => [.. _requests];

    /// <summary>The answer to every command instead of the defaults above, when set.</summary>
    public CommandReply? Reply { get; set; }

    public Task<CommandReply> ExecuteAsync(CommandRequest request, CancellationToken cancellationToken)
    {
        _requests.Enqueue(request);
        return Task.FromResult(Reply ?? (request.Command is StatusCommand
            ? CommandReply.Done("Status", "**shop/checkout-api** 2 replicas")
            : CommandReply.Refused($"`{request.Command.Verb}` refused for {request.Sender}")));
    }
}
