using Microsoft.AspNetCore.Diagnostics;
using ScaleControl.Core.Ports;

namespace ScaleControl.Server.Api;

/// <summary>
/// A write into a namespace the cluster does not have (e.g. a policy for a new team) answers 422 ProblemDetails on
/// <c>metadata.namespace</c> telling the user to create it, as a real cluster would refuse; nothing was stored.
/// </summary>
public sealed class MissingNamespaceHandler(IProblemDetailsService problems) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext http, Exception exception, CancellationToken cancellationToken)
    {
        if (exception is not NamespaceNotFoundException missing)
        {
            return false;
        }

        http.Response.StatusCode = StatusCodes.Status422UnprocessableEntity;
        var details = new HttpValidationProblemDetails(new Dictionary<string, string[]> { ["metadata.namespace"] = [missing.Message] })
        {
            Title = "Namespace not found",
            Status = StatusCodes.Status422UnprocessableEntity,
        };
        return await problems.TryWriteAsync(new ProblemDetailsContext { HttpContext = http, ProblemDetails = details, Exception = exception });
    }
}
