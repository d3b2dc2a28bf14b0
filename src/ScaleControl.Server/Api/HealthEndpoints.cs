using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace ScaleControl.Server.Api;

/// <summary><c>/healthz</c> (the process is alive) and <c>/readyz</c> (the stores answer: the watch caches are synced).</summary>
public static class HealthEndpoints
{
    public const string ReadyTag = "ready";

    public static IEndpointRouteBuilder MapHealthEndpoints(this IEndpointRouteBuilder routes)
    {
        routes.MapHealthChecks("/healthz", new() { Predicate = _ => false }).WithTags("Health");
        routes.MapHealthChecks("/readyz", new() { Predicate = c => c.Tags.Contains(ReadyTag) }).WithTags("Health");
        return routes;
    }
}

/// <summary>Ready when policies and proposals can be listed (in a cluster: the CRD watch caches have synced).</summary>
public sealed class StoresReadyCheck(ScaleControl.Core.Ports.IPolicyStore policies, ScaleControl.Core.Ports.IProposalStore proposals) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(TimeSpan.FromSeconds(2));
            await policies.ListAsync(null, timeout.Token);
            await proposals.ListAsync(null, timeout.Token);
            return HealthCheckResult.Healthy();
        }
        catch (Exception ex)
        {
            return HealthCheckResult.Unhealthy("the policy/proposal stores do not answer", ex);
        }
    }
}
