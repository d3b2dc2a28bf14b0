using Microsoft.Extensions.Logging;
using ScaleControl.Testing.Logging;

namespace ScaleControl.Server.Tests.Infrastructure;

/// <summary>The server's log lines at Information and above, as "Category: message", for tests that check what is logged and how often.</summary>
public sealed class CapturedLogs : ILoggerProvider
{
    private readonly CapturedLog _log = new();

    public IReadOnlyList<string> Lines => [.. _log.Lines.Select(l => $"{l.Category}: {l.Message}")];

    public ILogger CreateLogger(string categoryName) => _log.CreateLogger(categoryName);

    public void Dispose() => _log.Dispose();
}
