using Microsoft.AspNetCore.Diagnostics;
using ScaleControl.Core.Ports;

namespace ScaleControl.Server.Api;

/// <summary>
/// A request for a namespace outside <c>ScaleControl:Kubernetes:Namespaces</c> (read, write or list filter) answers
/// 400 ProblemDetails naming the namespace and the configured set, instead of a 500 or an empty list; the stores
/// refuse it before any call to the cluster, so nothing was read or written.
/// </summary>
public sealed class NamespaceNotWatchedHandler(IProblemDetailsService problems) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext http, Exception exception, CancellationToken cancellationToken)
    {
        if (exception is not NamespaceNotWatchedException refused)
        {
            return false;
        }

        http.Response.StatusCode = StatusCodes.Status400BadRequest;
        var details = new Microsoft.AspNetCore.Mvc.ProblemDetails
        {
            Title = "Namespace not watched",
            Status = StatusCodes.Status400BadRequest,
            Detail = refused.Message,
        };
        details.Extensions["namespace"] = refused.Namespace;
        return await problems.TryWriteAsync(new ProblemDetailsContext { HttpContext = http, ProblemDetails = details, Exception = exception });
    }
}
