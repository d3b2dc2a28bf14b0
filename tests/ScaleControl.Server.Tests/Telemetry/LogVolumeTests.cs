using Microsoft.Extensions.Logging;
using ScaleControl.Server.Tests.Infrastructure;

namespace ScaleControl.Server.Tests.Telemetry;

/// <summary>The shipped logging configuration: one line per thing that happened, not one per HTTP attempt.</summary>
public sealed class LogVolumeTests : IDisposable
{
    private readonly ServerFactory _server = new();

    public void Dispose() => _server.Dispose();

    [Fact]
    public void Polly_AttemptsThatWentWellAreNotLogged_RetriesAndFailuresAre()
    {
        // Polly logs every execution attempt at Information: a line per Prometheus query and per DingTalk call
        // (half the sandbox's log, and the DingTalk adapter already logs each call once).
        var polly = _server.Service<ILoggerFactory>().CreateLogger("Polly");

        Assert.False(polly.IsEnabled(LogLevel.Information));
        Assert.True(polly.IsEnabled(LogLevel.Warning));
    }
}
