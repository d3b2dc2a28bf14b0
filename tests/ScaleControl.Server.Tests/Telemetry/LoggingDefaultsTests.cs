using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using ScaleControl.Server.Tests.Infrastructure;

namespace ScaleControl.Server.Tests.Telemetry;

/// <summary>The shipped appsettings.json: the console says what the product does, not every HTTP attempt under it.</summary>
public sealed class LoggingDefaultsTests(ServerFactory server) : IClassFixture<ServerFactory>
{
    [Fact]
    public void Logging_ResilienceAttemptsOfEveryQuery_AreNotLoggedAtInformation()
    {
        var loggers = server.Services.GetRequiredService<ILoggerFactory>();

        // Polly logs each Prometheus and DingTalk attempt ("Execution attempt ... Handled: 'False'") at Information.
        Assert.False(loggers.CreateLogger("Polly").IsEnabled(LogLevel.Information));
        Assert.True(loggers.CreateLogger("Polly").IsEnabled(LogLevel.Warning));
        Assert.True(loggers.CreateLogger("ScaleControl.Server.Control.Loop.Reconciler").IsEnabled(LogLevel.Information));
    }
}
