using ScaleControl.Core.Ports;

namespace ScaleControl.Server.Telemetry;

/// <summary>Counts Kubernetes workload reads and scale writes by result for <c>/metrics</c>.</summary>
public sealed class InstrumentedWorkloadClient(IWorkloadClient inner) : IWorkloadClient
{
    public async Task<WorkloadState?> GetAsync(WorkloadRef target, CancellationToken cancellationToken)
    {
        try
        {
            var state = await inner.GetAsync(target, cancellationToken);
            ScaleControlMetrics.KubernetesCalls.WithLabels("get", state is null ? "NotFound" : "Ok").Inc();
            return state;
        }
        catch (Exception) when (!cancellationToken.IsCancellationRequested)
        {
            ScaleControlMetrics.KubernetesCalls.WithLabels("get", "Error").Inc();
            throw;
        }
    }

    public async Task<ScaleResult> ScaleAsync(ScaleRequest request, CancellationToken cancellationToken)
    {
        try
        {
            var result = await inner.ScaleAsync(request, cancellationToken);
            ScaleControlMetrics.KubernetesCalls.WithLabels("scale", result.Outcome.ToString()).Inc();
            return result;
        }
        catch (Exception) when (!cancellationToken.IsCancellationRequested)
        {
            ScaleControlMetrics.KubernetesCalls.WithLabels("scale", "Error").Inc();
            throw;
        }
    }
}
