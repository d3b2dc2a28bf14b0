using System.Globalization;
using System.Reflection;
using ScaleControl.Core.Text;

namespace ScaleControl.Server.Api;

/// <summary>
/// A query value the endpoint cannot bind (<c>?from=bogus</c>, <c>?phase=Bogus</c>, <c>?minutes=abc</c>, one given twice) is answered
/// 400 by the framework before the handler runs, with a bare "Bad Request". This names the parameter and what it
/// takes, keyed like a validation error, by checking the request's query values against the handler's parameters.
/// </summary>
public static class QueryParameterProblems
{
    public static void Explain(ProblemDetailsContext context)
    {
        var http = context.HttpContext;
        if (context.ProblemDetails is HttpValidationProblemDetails || context.ProblemDetails.Status != StatusCodes.Status400BadRequest
            || http.Request.Query.Count == 0 || http.GetEndpoint()?.Metadata.GetMetadata<MethodInfo>() is not { } handler)
        {
            return;
        }

        var errors = Errors(http, handler);
        if (errors.Count > 0)
        {
            context.ProblemDetails.Title = "A query parameter is invalid";
            context.ProblemDetails.Extensions["errors"] = errors;
        }
    }

    /// <summary>
    /// An enum query value the framework binds although it is no name — a number (<c>?phase=1</c>, <c>?phase=99</c>) or
    /// a list (<c>?phase=Pending,Applied</c>) — is refused the same way as <c>?phase=Bogus</c>: the names only.
    /// Runs after authorization, so a caller without a token still gets 401 first.
    /// </summary>
    public static IApplicationBuilder UseStrictQueryParameters(this IApplicationBuilder app) => app.Use(async (http, next) =>
    {
        if (http.Request.Query.Count > 0 && http.GetEndpoint()?.Metadata.GetMetadata<MethodInfo>() is { } handler
            && Errors(http, handler) is { Count: > 0 } errors)
        {
            http.Response.StatusCode = StatusCodes.Status400BadRequest;
            var problem = new HttpValidationProblemDetails(errors) { Title = "A query parameter is invalid", Status = StatusCodes.Status400BadRequest };
            await http.RequestServices.GetRequiredService<IProblemDetailsService>().WriteAsync(new ProblemDetailsContext { HttpContext = http, ProblemDetails = problem });
            return;
        }

        await next(http);
    });

    private static Dictionary<string, string[]> Errors(HttpContext http, MethodInfo handler)
    {
        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        foreach (var parameter in handler.GetParameters())
        {
            if (parameter.Name is not { } name || !http.Request.Query.TryGetValue(name, out var values))
            {
                continue;
            }

            if (values.Count > 1)
            {
                // ?namespace=shop&namespace=feed was read as the one namespace "shop,feed": an empty list, not an error.
                errors[name] = [$"{name} is given {values.Count} times; give it once."];
            }
            else if (values.FirstOrDefault(v => !string.IsNullOrEmpty(v) && !Parses(parameter.ParameterType, v)) is { } value)
            {
                errors[name] = [$"{name} {Expected(parameter.ParameterType)} (got '{ShownText.Cut(value, 40)}')."];
            }
        }

        return errors;
    }

    private static bool Parses(Type type, string value) => (Nullable.GetUnderlyingType(type) ?? type) switch
    {
        var t when t == typeof(int) => int.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out _),
        var t when t == typeof(DateTimeOffset) => TimeWithOffsetConverter.HasOffset(value) && DateTimeOffset.TryParse(value, CultureInfo.InvariantCulture, DateTimeStyles.None, out _),
        { IsEnum: true } t => Enum.GetNames(t).Contains(value, StringComparer.Ordinal), // as the binder: case-sensitive, names only
        _ => true,
    };

    private static string Expected(Type type) => (Nullable.GetUnderlyingType(type) ?? type) switch
    {
        var t when t == typeof(int) => "must be a whole number",
        var t when t == typeof(DateTimeOffset) => "must be an RFC 3339 time with its offset, such as 2026-12-04T20:00:00Z",
        { IsEnum: true } t => $"must be one of {string.Join(", ", Enum.GetNames(t))}",
        _ => "is not valid",
    };
}
