using System.Net;
using k8s.Autorest;

namespace ScaleControl.Kubernetes.Client;

/// <summary>Reads the status code of KubernetesClient's <see cref="HttpOperationException"/>.</summary>
internal static class ApiErrors
{
    public static bool Is(this HttpOperationException exception, HttpStatusCode status) =>
        exception.Response?.StatusCode == status;

    /// <summary>What a 404 Status says was not found (<c>details.kind</c>, e.g. <c>namespaces</c>), or null.</summary>
    public static string? NotFoundKind(this HttpOperationException exception)
    {
        try
        {
            return string.IsNullOrEmpty(exception.Response?.Content)
                ? null
                : k8s.KubernetesJson.Deserialize<k8s.Models.V1Status>(exception.Response.Content)?.Details?.Kind;
        }
        catch (System.Text.Json.JsonException)
        {
            return null;
        }
    }

    /// <summary>A 422 Status's causes by field (<c>details.causes[].field</c>, "$" when it names none), or the message under "$".</summary>
    public static Dictionary<string, string[]> InvalidFields(this HttpOperationException exception)
    {
        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        try
        {
            if (!string.IsNullOrEmpty(exception.Response?.Content)
                && k8s.KubernetesJson.Deserialize<k8s.Models.V1Status>(exception.Response.Content)?.Details?.Causes is { Count: > 0 } causes)
            {
                foreach (var group in causes.GroupBy(c => string.IsNullOrEmpty(c.Field) ? "$" : c.Field, StringComparer.Ordinal))
                {
                    errors[group.Key] = [.. group.Select(c => c.Message ?? c.Reason ?? "invalid")];
                }
            }
        }
        catch (System.Text.Json.JsonException)
        {
            // Not a Status body: the message below says what there is.
        }

        if (errors.Count == 0)
        {
            errors["$"] = [exception.Describe()];
        }

        return errors;
    }

    /// <summary>
    /// Why a request got no usable answer — an error status, no answer within the client's timeout, or no connection —
    /// or null when <paramref name="exception"/> is none of these (e.g. the caller cancelled).
    /// </summary>
    public static string? Unavailable(Exception exception, CancellationToken cancellationToken) => exception switch
    {
        HttpOperationException http => http.Describe() is var said && said.StartsWith($"{(int?)http.Response?.StatusCode}", StringComparison.Ordinal)
            ? said
            : $"{(int?)http.Response?.StatusCode} {said}",
        HttpRequestException request => $"unreachable ({request.Message})",
        OperationCanceledException when !cancellationToken.IsCancellationRequested => "timed out",
        _ => null,
    };

    /// <summary>The Status message of a failed request, or its reason phrase.</summary>
    public static string Describe(this HttpOperationException exception)
    {
        var content = exception.Response?.Content;
        if (!string.IsNullOrEmpty(content))
        {
            try
            {
                var status = k8s.KubernetesJson.Deserialize<k8s.Models.V1Status>(content);
                if (!string.IsNullOrEmpty(status?.Message))
                {
                    return status.Message;
                }
            }
            catch (System.Text.Json.JsonException)
            {
                // Not a Status body; fall through to the status line.
            }
        }

        return $"{(int?)exception.Response?.StatusCode} {exception.Response?.ReasonPhrase}".Trim();
    }
}
