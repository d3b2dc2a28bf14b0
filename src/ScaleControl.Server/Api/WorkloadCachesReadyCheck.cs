using Microsoft.Extensions.Diagnostics.HealthChecks;
using ScaleControl.Kubernetes.Workloads;

namespace ScaleControl.Server.Api;

/// <summary>
/// Degraded while a workload cache that a read needed cannot make its first list, with the API server's reason (e.g.
/// RBAC without <c>list statefulsets</c>): the replica still serves its API and the policies whose caches are synced,
/// so it stays in the Service, and <c>/readyz</c> says what is missing.
/// </summary>
public sealed class WorkloadCachesReadyCheck(IServiceProvider services) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var unsynced = services.GetService<WorkloadCache>()?.Unsynced().ToList() ?? [];
        return Task.FromResult(unsynced.Count == 0 ? HealthCheckResult.Healthy() : HealthCheckResult.Degraded(string.Join("; ", unsynced)));
    }
}
