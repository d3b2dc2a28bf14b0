using Microsoft.Extensions.Hosting;

namespace ScaleControl.Sandbox.Kubernetes.Cluster;

/// <summary>Runs the cluster simulation every <see cref="SandboxKubernetesOptions.ControllerInterval"/>.</summary>
internal sealed class ControllerLoop(ClusterSimulator simulator, SandboxKubernetesOptions options, TimeProvider time) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.ControllerInterval, time);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                simulator.Reconcile();
            }
        }
        catch (OperationCanceledException)
        {
            // host stopping
        }
    }
}
