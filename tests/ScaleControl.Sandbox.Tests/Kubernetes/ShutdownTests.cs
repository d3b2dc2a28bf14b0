using System.Diagnostics;
using ScaleControl.Sandbox.Kubernetes;
using ScaleControl.Sandbox.Kubernetes.Control;
using ScaleControl.Testing.Kubernetes;
using ScaleControl.Testing.Timing;

namespace ScaleControl.Sandbox.Tests.Kubernetes;

/// <summary>
/// Stopping the sandbox API server while a real client (kubectl get -w) holds a watch open and then disappears without
/// closing its connection (SIGSTOP: paused, or cut off by the network): the stop ends the requests it holds at once
/// instead of waiting out the host's 30 s shutdown timeout. The bound is generous (10 s against 30 s) so it holds on a
/// busy runner.
/// </summary>
public sealed class ShutdownTests
{
    private static readonly TimeSpan s_bound = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task Stop_OpenWatchWhoseClientIsGone_StopsWithinSeconds()
    {
        var stopped = await StopWithSilentWatchAsync(fault: null);

        Assert.True(stopped < s_bound, $"stopping took {stopped.TotalSeconds:0.0} s");
    }

    [Fact]
    public async Task Stop_WatchHeldByAnInjectedHangWhoseClientIsGone_StopsWithinSeconds_AndAnswersShuttingDown()
    {
        // The watch is served and its answer held for a minute (a lost answer): before, the hold ignored the stop.
        var hang = new SandboxFault { Verb = "watch", Resource = "deployments", Latency = TimeSpan.FromMinutes(1), AfterServing = true };

        var stopped = await StopWithSilentWatchAsync(hang, held => Assert.Contains(held, e => e.Verb == "watch" && e.StatusCode == 503));

        Assert.True(stopped < s_bound, $"stopping took {stopped.TotalSeconds:0.0} s");
    }

    /// <summary>kubectl watches deployments, is paused once its watch is open, and the server is stopped: how long the stop took.</summary>
    private static async Task<TimeSpan> StopWithSilentWatchAsync(SandboxFault? fault, Action<IReadOnlyList<JournalEntry>>? afterStop = null)
    {
        var server = await SandboxKubernetesServer.StartAsync(o => o.RunControllerLoop = false);
        var control = server.Control;
        control.SeedDeployment("shop", "web", 3);
        if (fault is not null)
        {
            control.InjectFault(fault);
        }

        using var kubectl = new Kubectl(server.BaseUri);
        using var process = kubectl.Start("get", "deploy", "-n", "shop", "-w");
        try
        {
            using var timeout = new CancellationTokenSource(Patience.Of(10));
            while (control.OpenWatches == 0)
            {
                await Task.Delay(20, timeout.Token);
            }

            Signal(process, "-STOP");
            var clock = Stopwatch.StartNew();
            await server.DisposeAsync();
            var took = clock.Elapsed;
            afterStop?.Invoke(control.Journal);
            return took;
        }
        finally
        {
            Signal(process, "-CONT");
            process.Kill(entireProcessTree: true);
        }
    }

    private static void Signal(Process process, string signal)
    {
        using var kill = Process.Start("kill", [signal, process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
        kill.WaitForExit();
    }
}
