using Microsoft.Extensions.Diagnostics.HealthChecks;
using ScaleControl.Core.Policies;
using ScaleControl.Core.Proposals;
using ScaleControl.Kubernetes.Caching;

namespace ScaleControl.Server.Api;

/// <summary><c>/healthz</c> (the process is alive) and <c>/readyz</c> (the stores answer: the watch caches are synced).</summary>
public static class HealthEndpoints
{
    public const string ReadyTag = "ready";

    public static IEndpointRouteBuilder MapHealthEndpoints(this IEndpointRouteBuilder routes)
    {
        routes.MapHealthChecks("/healthz", new() { Predicate = _ => false }).WithTags("Health");
        routes.MapHealthChecks("/readyz", new() { Predicate = c => c.Tags.Contains(ReadyTag), ResponseWriter = WriteStatusAndProblemsAsync }).WithTags("Health");
        return routes;
    }

    /// <summary>The overall status (as the default writer), then one line per check that is not healthy, saying why.</summary>
    private static Task WriteStatusAndProblemsAsync(HttpContext context, HealthReport report)
    {
        context.Response.ContentType = "text/plain; charset=utf-8";
        var lines = report.Entries.Where(e => e.Value.Status != HealthStatus.Healthy)
            .Select(e => $"\n{e.Key}: {e.Value.Status}: {e.Value.Description}{(e.Value.Exception is { } ex ? $" ({ex.Message})" : "")}");
        return context.Response.WriteAsync(report.Status + string.Concat(lines));
    }
}

/// <summary>
/// Ready when policies and proposals can be listed (in a cluster: the CRD watch caches have synced); when they cannot,
/// says why as the API server did (e.g. the CRDs not installed).
/// </summary>
public sealed class StoresReadyCheck(ScaleControl.Core.Ports.IPolicyStore policies, ScaleControl.Core.Ports.IProposalStore proposals, IServiceProvider services) : IHealthCheck
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
            var reasons = new[] { Failure(services.GetService<ResourceCache<ScalePolicy>>()), Failure(services.GetService<ResourceCache<ScaleProposal>>()) }.OfType<string>().ToList();
            return HealthCheckResult.Unhealthy(reasons.Count == 0 ? "the policy/proposal stores do not answer" : string.Join("; ", reasons), reasons.Count == 0 ? ex : null);
        }
    }

    private static string? Failure<T>(ResourceCache<T>? cache)
        where T : class =>
        cache is { IsSynced: false, LastFailure: { } failure } ? new CacheNotSyncedException(cache.Name, failure).Message : null;
}
