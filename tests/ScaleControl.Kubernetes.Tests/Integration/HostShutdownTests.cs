using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using ScaleControl.Kubernetes.Tests.Infrastructure;
using ScaleControl.Sandbox.Kubernetes.Control;
using ScaleControl.Testing.Logging;

namespace ScaleControl.Kubernetes.Tests.Integration;

/// <summary>
/// The API server goes away while ScaleControl's host is stopping (both stopped together; the server's shutdown waits
/// on an apply in flight meanwhile): the watch caches, composed as the server composes them and started by the host,
/// say once each that their watch ended with the host, at Information and without a stack trace — not a warning with
/// the exception per resource and reconnect.
/// </summary>
public sealed class HostShutdownTests
{
    private const int Caches = 5; // deployments, statefulsets, horizontalpodautoscalers, scalepolicies, scaleproposals

    [Fact]
    public async Task HostStopping_ApiServerFailsMeanwhile_EachWatchSaysOnceAtInformation_NoWarningNoStackTrace()
    {
        await using var sandbox = await KubernetesSandbox.StartAsync();
        var log = new CapturedLog();
        var held = new HeldStop();
        var builder = Host.CreateApplicationBuilder();
        builder.Logging.ClearProviders();
        builder.Logging.AddProvider(log);
        builder.Services.AddScaleControlKubernetes(o =>
        {
            o.Host = sandbox.Server.BaseUri.ToString();
            o.LeaderElection.Enabled = false;
        });
        builder.Services.AddSingleton<IHostedService>(held); // stops before the Kubernetes services, as the server's applies do
        using var host = builder.Build();
        await host.StartAsync();
        await Eventually.TrueAsync(() => sandbox.Control.OpenWatches == Caches, "every cache watches");

        var stopping = host.StopAsync();
        await held.Entered.Task.WaitAsync(TimeSpan.FromSeconds(30));
        using var down = sandbox.Control.InjectFault(SandboxFault.ServerError(503));
        sandbox.Control.DropWatches();
        await Eventually.TrueAsync(() => CacheLines(log).Count >= Caches, "every cache's watch has failed");
        held.Release.SetResult();
        await stopping;

        var lines = CacheLines(log);
        Assert.All(lines, line => Assert.True(line.Level == LogLevel.Information && !line.HasException, line.ToString()));
        Assert.Equal(Caches, lines.Count);
        Assert.Equal(Caches, lines.Select(l => l.Message).Distinct().Count()); // one line per resource
        Assert.All(lines, line => Assert.Contains("ended with the host stopping: 503", line.Message, StringComparison.Ordinal));
    }

    private static List<CapturedLog.Line> CacheLines(CapturedLog log) =>
        [.. log.Lines.Where(l => l.Category.StartsWith("ScaleControl.Kubernetes", StringComparison.Ordinal) && l.Message.StartsWith("Watch of", StringComparison.Ordinal))];

    /// <summary>A hosted service whose stop waits until the test lets it go.</summary>
    private sealed class HeldStop : IHostedService
    {
        public TaskCompletionSource Entered { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public TaskCompletionSource Release { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public async Task StopAsync(CancellationToken cancellationToken)
        {
            Entered.SetResult();
            await Release.Task;
        }
    }
}
