using Microsoft.Extensions.Hosting;
using ScaleControl.Server.Hosting;

namespace ScaleControl.Server.Tests.Hosting;

/// <summary>
/// In sandbox mode the adapters' hosted services are wrapped to start after the server; the wrapper must still pass on
/// that the host begins to stop, or the watch caches would not know it (HostShutdownTests) and log a stop as a failure.
/// </summary>
public sealed class StartAfterServerTests
{
    [Fact]
    public async Task Wrapped_HostBeginsToStop_TheInnerServiceHearsItBeforeItsStop()
    {
        using var lifetime = new Lifetime();
        var inner = new LifecycleRecorder();
        var wrapped = new StartAfterServer(inner, lifetime);

        await wrapped.StartAsync(default);
        await wrapped.StoppingAsync(default);
        await wrapped.StopAsync(default);
        await wrapped.StoppedAsync(default);

        Assert.Equal(["stopping", "stop", "stopped"], inner.Calls);
    }

    private sealed class LifecycleRecorder : IHostedLifecycleService
    {
        public List<string> Calls { get; } = [];

        public Task StartingAsync(CancellationToken cancellationToken) => Record("starting");

        public Task StartAsync(CancellationToken cancellationToken) => Record("start");

        public Task StartedAsync(CancellationToken cancellationToken) => Record("started");

        public Task StoppingAsync(CancellationToken cancellationToken) => Record("stopping");

        public Task StopAsync(CancellationToken cancellationToken) => Record("stop");

        public Task StoppedAsync(CancellationToken cancellationToken) => Record("stopped");

        private Task Record(string call)
        {
            Calls.Add(call);
            return Task.CompletedTask;
        }
    }

    /// <summary>A host that never reaches "started": the wrapped service is not started, only told about the stop.</summary>
    private sealed class Lifetime : IHostApplicationLifetime, IDisposable
    {
        private readonly CancellationTokenSource _never = new();

        public CancellationToken ApplicationStarted => _never.Token;

        public CancellationToken ApplicationStopping => _never.Token;

        public CancellationToken ApplicationStopped => _never.Token;

        public void StopApplication()
        {
        }

        public void Dispose() => _never.Dispose();
    }
}
