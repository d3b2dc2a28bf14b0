using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Mvc;
using ScaleControl.Kubernetes.Caching;

namespace ScaleControl.Server.Api;

/// <summary>
/// A request that needs a watch cache which cannot list (RBAC without the verb, a resource the server does not serve)
/// answers 503 ProblemDetails with the API server's reason, not a 500: nothing was read, so nothing was changed.
/// </summary>
public sealed class CacheNotSyncedHandler(IProblemDetailsService problems) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext http, Exception exception, CancellationToken cancellationToken)
    {
        if (exception is not CacheNotSyncedException unsynced)
        {
            return false;
        }

        http.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
        var details = new ProblemDetails
        {
            Title = "Kubernetes cache not synced",
            Status = StatusCodes.Status503ServiceUnavailable,
            Detail = unsynced.Message,
        };
        return await problems.TryWriteAsync(new ProblemDetailsContext { HttpContext = http, ProblemDetails = details, Exception = exception });
    }
}
