using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Mvc;
using ScaleControl.Core.Ports;
using ScaleControl.Kubernetes.Caching;

namespace ScaleControl.Server.Api;

/// <summary>
/// A write that lost to other writers every time it tried (409: nothing of this request was written), a write the API
/// server's validation refused (422 keyed by its fields: it was a 500), a store that
/// did not answer a read (503), or a watch cache that cannot list (RBAC without the verb, a resource the server does
/// not serve: 503 with the API server's reason) is told to the caller as what it is, not as a 500. In a storm the API
/// server is slow and many people decide at once: that is when the answer must be clear.
/// </summary>
public sealed class StoreProblemsHandler(IProblemDetailsService problems) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext http, Exception exception, CancellationToken cancellationToken)
    {
        var details = exception switch
        {
            ConcurrencyConflictException conflict => new ProblemDetails
            {
                Title = "Conflict",
                Status = StatusCodes.Status409Conflict,
                Detail = $"{conflict.Message}. It kept changing while this request wrote it (other replicas or people deciding at the same time); nothing of this request was written. Read it again and retry.",
            },
            UnreadablePolicyException unreadable => new ProblemDetails
            {
                Title = "Policy cannot be read",
                Status = StatusCodes.Status409Conflict,
                Detail = unreadable.Message,
            },
            StoreUnavailableException unavailable => new ProblemDetails
            {
                Title = "Kubernetes API unavailable",
                Status = StatusCodes.Status503ServiceUnavailable,
                Detail = $"{unavailable.Message}; retry in a moment (a decision already recorded counts once).",
            },
            ObjectInvalidException invalid => new HttpValidationProblemDetails(invalid.Errors.ToDictionary(e => e.Key, e => e.Value, StringComparer.Ordinal))
            {
                Title = "The Kubernetes API server refused the object",
                Status = StatusCodes.Status422UnprocessableEntity,
                Detail = $"{invalid.Message}; nothing was stored.",
            },
            CacheNotSyncedException unsynced => new ProblemDetails
            {
                Title = "Kubernetes cache not synced",
                Status = StatusCodes.Status503ServiceUnavailable,
                Detail = unsynced.Message,
            },
            _ => null,
        };
        if (details is null)
        {
            return false;
        }

        http.Response.StatusCode = details.Status!.Value;
        if (exception is StoreUnavailableException)
        {
            http.Response.Headers.RetryAfter = "2";
        }

        return await problems.TryWriteAsync(new ProblemDetailsContext { HttpContext = http, ProblemDetails = details, Exception = exception });
    }
}
