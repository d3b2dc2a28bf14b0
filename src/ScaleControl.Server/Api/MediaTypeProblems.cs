using ScaleControl.Core.Text;

namespace ScaleControl.Server.Api;

/// <summary>
/// A body sent without a JSON Content-Type (curl's default form encoding, <c>text/plain</c>) is answered 415 by the
/// framework before the handler runs, as a bare "Unsupported Media Type". This says what to send, keyed like a
/// validation error on the whole body (<c>$</c>).
/// </summary>
public static class MediaTypeProblems
{
    public static void Explain(ProblemDetailsContext context)
    {
        if (context.ProblemDetails.Status != StatusCodes.Status415UnsupportedMediaType)
        {
            return;
        }

        var sent = context.HttpContext.Request.ContentType is { Length: > 0 } type ? $"got '{ShownText.Cut(type, 60)}'" : "none was given";
        context.ProblemDetails.Detail = $"the body must be JSON: send Content-Type: application/json ({sent}).";
        context.ProblemDetails.Extensions["errors"] = new Dictionary<string, string[]> { ["$"] = [context.ProblemDetails.Detail] };
    }
}
