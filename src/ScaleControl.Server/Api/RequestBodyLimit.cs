using Microsoft.AspNetCore.Http.Features;

namespace ScaleControl.Server.Api;

/// <summary>
/// Every request body is capped (a policy is a few KiB; Kubernetes objects stop at 1.5 MiB): a larger one is refused
/// with 413 before anything reads it, also where the host enforces no limit of its own.
/// </summary>
public static class RequestBodyLimit
{
    public const long Bytes = 1024 * 1024;

    public static readonly string Message = $"the body is limited to {Bytes / 1024} KiB.";

    public static IApplicationBuilder UseRequestBodyLimit(this IApplicationBuilder app) => app.Use(async (http, next) =>
    {
        if (http.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } feature)
        {
            feature.MaxRequestBodySize = Bytes;
        }

        if (http.Request.ContentLength > Bytes)
        {
            throw new BadHttpRequestException($"the body is {http.Request.ContentLength} bytes; the limit is {Bytes}", StatusCodes.Status413PayloadTooLarge);
        }

        await next(http);
    });

    /// <summary>
    /// Every 413 says the limit, keyed on the whole body (<c>$</c>) like every body error — also when the body outgrew
    /// the limit while it was read (chunked, no Content-Length), which the framework answered with a bare "Content Too Large".
    /// </summary>
    public static void Explain(ProblemDetailsContext context)
    {
        if (context.ProblemDetails.Status != StatusCodes.Status413PayloadTooLarge)
        {
            return;
        }

        context.ProblemDetails.Title = "Request body too large";
        context.ProblemDetails.Detail = Message;
        if (context.ProblemDetails is HttpValidationProblemDetails validation)
        {
            validation.Errors["$"] = [Message];
        }
        else
        {
            context.ProblemDetails.Extensions["errors"] = new Dictionary<string, string[]> { ["$"] = [Message] };
        }
    }
}
