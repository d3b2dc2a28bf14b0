using ScaleControl.Core.Policies.Validation;
using ScaleControl.Core.Text;

namespace ScaleControl.Server.Api;

/// <summary>
/// A namespace or object name in the route (<c>{ns}</c>, <c>{name}</c>, an expected event's <c>{event}</c>) or in a list filter (<c>?namespace=</c>,
/// <c>?policy=</c>) that no Kubernetes object can have — upper case, <c>..%2F</c>, 300 characters — is answered 400
/// keyed by the parameter, before the handler reads anything. It was a 404 that echoed the whole name (5,000
/// characters came back), and a list filter matched nothing with 200 and an empty list, as if the name were right.
/// Runs after authorization, so a caller without a token still gets 401 first.
/// </summary>
public static class ResourceNameProblems
{
    private const string NamespaceRule = "a Kubernetes namespace name: at most 63 lower-case letters, digits and '-', starting and ending with a letter or digit";
    private const string EventRule = "an expected event name: at most 63 lower-case letters, digits and '-', such as 'push-2000'";
    private const string NameRule = "a Kubernetes object name: at most 253 lower-case letters, digits, '-' and '.', starting and ending with a letter or digit";

    public static IApplicationBuilder UseStrictResourceNames(this IApplicationBuilder app) => app.Use(async (http, next) =>
    {
        if (http.Request.Path.StartsWithSegments("/api/v1") && Errors(http) is { Count: > 0 } errors)
        {
            http.Response.StatusCode = StatusCodes.Status400BadRequest;
            var problem = new HttpValidationProblemDetails(errors) { Title = "A name is invalid", Status = StatusCodes.Status400BadRequest };
            await http.RequestServices.GetRequiredService<IProblemDetailsService>().WriteAsync(new ProblemDetailsContext { HttpContext = http, ProblemDetails = problem });
            return;
        }

        await next(http);
    });

    private static Dictionary<string, string[]> Errors(HttpContext http)
    {
        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        Check(errors, "ns", http.GetRouteValue("ns") as string, KubernetesNames.IsDnsLabel, NamespaceRule);
        Check(errors, "name", http.GetRouteValue("name") as string, KubernetesNames.IsDnsSubdomain, NameRule);
        Check(errors, "event", http.GetRouteValue("event") as string, KubernetesNames.IsDnsLabel, EventRule);
        Check(errors, "namespace", Filter(http, "namespace"), KubernetesNames.IsDnsLabel, NamespaceRule);
        Check(errors, "policy", Filter(http, "policy"), KubernetesNames.IsDnsSubdomain, NameRule);
        return errors;
    }

    /// <summary>A list filter given once and not empty (empty means all; twice is <see cref="QueryParameterProblems"/>' to refuse).</summary>
    private static string? Filter(HttpContext http, string key) =>
        http.Request.Query.TryGetValue(key, out var values) && values.Count == 1 && !string.IsNullOrEmpty(values[0]) ? values[0] : null;

    private static void Check(Dictionary<string, string[]> errors, string key, string? value, Func<string?, bool> valid, string rule)
    {
        if (value is not null && !valid(value))
        {
            errors[key] = [$"{key} '{ShownText.Cut(value, 40)}' is not {rule}."];
        }
    }
}
