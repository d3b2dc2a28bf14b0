using ScaleControl.Core.Ports;

namespace ScaleControl.Server.Telemetry;

/// <summary>Counts Kubernetes workload reads and scale writes by result for <c>/metrics</c>.</summary>
public sealed class InstrumentedWorkloadClient(IWorkloadClient inner, ScaleControlMetrics metrics) : IWorkloadClient
{
    public async Task<WorkloadState?> GetAsync(WorkloadRef target, CancellationToken cancellationToken)
    {
        try
        {
            var state = await inner.GetAsync(target, cancellationToken);
            metrics.KubernetesCall("get", state is null ? "NotFound" : "Ok");
            return state;
        }
        catch (Exception) when (!cancellationToken.IsCancellationRequested)
        {
            metrics.KubernetesCall("get", "Error");
            throw;
        }
    }

    public async Task<ScaleResult> ScaleAsync(ScaleRequest request, CancellationToken cancellationToken)
    {
        try
        {
            var result = await inner.ScaleAsync(request, cancellationToken);
            metrics.KubernetesCall("scale", result.Outcome.ToString());
            return result;
        }
        catch (Exception) when (!cancellationToken.IsCancellationRequested)
        {
            metrics.KubernetesCall("scale", "Error");
            throw;
        }
    }
}
