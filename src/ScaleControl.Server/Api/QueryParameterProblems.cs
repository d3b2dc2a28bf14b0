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
    /// Refuses what the handler would misread or never read, before it runs: an enum query value the framework binds
    /// although it is no name — a number (<c>?phase=1</c>, <c>?phase=99</c>) or a list (<c>?phase=Pending,Applied</c>) —
    /// the same way as <c>?phase=Bogus</c>; a time out of range; and on the API a parameter the endpoint does not take
    /// (<c>?phse=Pending</c> answered every proposal: the typo hid the filter). An enum name in another case
    /// (<c>?phase=applied</c>, as kubectl users type it) is read as the name. Runs after authorization, so a caller
    /// without a token still gets 401 first.
    /// </summary>
    public static IApplicationBuilder UseStrictQueryParameters(this IApplicationBuilder app) => app.Use(async (http, next) =>
    {
        if (http.Request.Query.Count > 0 && http.GetEndpoint()?.Metadata.GetMetadata<MethodInfo>() is { } handler)
        {
            if (Errors(http, handler) is { Count: > 0 } errors)
            {
                http.Response.StatusCode = StatusCodes.Status400BadRequest;
                var problem = new HttpValidationProblemDetails(errors) { Title = "A query parameter is invalid", Status = StatusCodes.Status400BadRequest };
                await http.RequestServices.GetRequiredService<IProblemDetailsService>().WriteAsync(new ProblemDetailsContext { HttpContext = http, ProblemDetails = problem });
                return;
            }

            QueryEnumNames.Normalize(http, QueryParameters.Of(http, handler));
        }

        await next(http);
    });

    private static Dictionary<string, string[]> Errors(HttpContext http, MethodInfo handler)
    {
        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        var taken = QueryParameters.Of(http, handler);
        foreach (var (name, type) in taken)
        {
            if (!http.Request.Query.TryGetValue(name, out var values))
            {
                continue;
            }

            if (values.Count > 1)
            {
                // ?namespace=shop&namespace=feed was read as the one namespace "shop,feed": an empty list, not an error.
                errors[name] = [$"{name} is given {values.Count} times; give it once."];
            }
            else if (values.Where(v => !string.IsNullOrEmpty(v)).Select(v => (Value: v!, Problem: Problem(type, v!))).FirstOrDefault(p => p.Problem is not null)
                     is { Problem: { } problem, Value: var value })
            {
                errors[name] = [$"{name} {problem} (got '{ShownText.Cut(value, 40)}')."];
            }
        }

        if (QueryParameters.AreChecked(http))
        {
            foreach (var unknown in http.Request.Query.Keys.Where(k => !taken.ContainsKey(k)).Take(MaxUnknownShown))
            {
                errors[ShownText.Cut(unknown, 40)] = [QueryParameters.Unknown(unknown, taken.Keys)];
            }
        }

        return errors;
    }

    /// <summary>A query string full of made-up names is answered with the first few, not echoed whole.</summary>
    private const int MaxUnknownShown = 10;

    /// <summary>Why the value cannot be read as <paramref name="type"/> (what follows the parameter's name), or null when it can.</summary>
    private static string? Problem(Type type, string value) => (Nullable.GetUnderlyingType(type) ?? type) switch
    {
        var t when t == typeof(int) => int.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out _) ? null : "must be a whole number",
        var t when t == typeof(DateTimeOffset) => TimeProblem(value),
        { IsEnum: true } t => QueryEnumNames.Find(t, value) is null ? $"must be one of {string.Join(", ", Enum.GetNames(t))} (in any case)" : null,
        _ => null,
    };

    private static string? TimeProblem(string value)
    {
        if (!TimeWithOffsetConverter.HasOffset(value))
        {
            return TimeExpected;
        }

        if (DateTimeOffset.TryParse(value, CultureInfo.InvariantCulture, DateTimeStyles.None, out var time))
        {
            return AcceptedTimes.Contains(time) ? null : AcceptedTimes.Range;
        }

        return AcceptedTimes.IsWellFormedButUnreadable(value) ? AcceptedTimes.Range : TimeExpected;
    }

    private const string TimeExpected = "must be an RFC 3339 time with its offset, such as 2026-12-04T20:00:00Z";
}
