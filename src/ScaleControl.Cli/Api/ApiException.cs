using System.Net;

namespace ScaleControl.Cli.Api;

/// <summary>The server answered with an error (an RFC 7807 problem); <see cref="Exception.Message"/> is the one line to show.</summary>
internal sealed class ApiException(HttpStatusCode status, string? title, string? detail, IReadOnlyDictionary<string, string[]> errors)
    : Exception(Describe(status, title, detail, errors))
{
    public HttpStatusCode Status { get; } = status;

    /// <summary>Validation errors by field path (<c>spec.maxReplicas</c>), empty for other problems.</summary>
    public IReadOnlyDictionary<string, string[]> Errors { get; } = errors;

    /// <summary>"spec.maxReplicas: must be ≥ minReplicas; spec.metrics[0].query: required".</summary>
    public string FieldErrors => Join(Errors);

    /// <summary>One line; the server's sentences lose their final period so the separators do not double it (".;").</summary>
    private static string Join(IReadOnlyDictionary<string, string[]> errors) =>
        string.Join("; ", errors.Select(e => $"{e.Key}: {string.Join(", ", e.Value.Select(m => m.TrimEnd().TrimEnd('.')))}"));

    private static string Describe(HttpStatusCode status, string? title, string? detail, IReadOnlyDictionary<string, string[]> errors)
    {
        var text = detail ?? title;
        var label = status switch
        {
            HttpStatusCode.Unauthorized => "unauthorized",
            HttpStatusCode.Forbidden => "forbidden",
            HttpStatusCode.NotFound => "not found",
            HttpStatusCode.Conflict => "refused",
            HttpStatusCode.BadRequest => "invalid request",
            HttpStatusCode.UnprocessableEntity => "invalid",
            HttpStatusCode.ServiceUnavailable => "unavailable",
            _ => "server error",
        };
        if (errors.Count > 0)
        {
            text = Join(errors);
        }
        else if (status == HttpStatusCode.Unauthorized)
        {
            text = $"{text ?? "the server did not accept the token"} (set --token, SCALECTL_TOKEN or token: in the config file)";
        }

        return $"{label} ({(int)status}): {text ?? status.ToString()}";
    }
}
