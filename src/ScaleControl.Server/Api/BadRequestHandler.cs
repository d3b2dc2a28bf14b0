using System.Reflection;
using System.Text.Json;
using Microsoft.AspNetCore.Diagnostics;

namespace ScaleControl.Server.Api;

/// <summary>
/// A body that cannot be read as the endpoint's type — malformed JSON, a wrong type (<c>"replicas":"twelve"</c>), an
/// unknown field (<c>maxReplica</c>), too large — answers 4xx ProblemDetails naming the field path, the same shape as
/// a validation error, instead of a bare "Bad Request". Nothing has run yet, so nothing changed.
/// </summary>
public sealed class BadRequestHandler(IProblemDetailsService problems, ILogger<BadRequestHandler> logger) : IExceptionHandler
{
    internal const string BodyRequired = "a JSON body is required (Content-Type: application/json); see /openapi/v1.json.";

    public async ValueTask<bool> TryHandleAsync(HttpContext http, Exception exception, CancellationToken cancellationToken)
    {
        if (exception is not BadHttpRequestException bad)
        {
            return false;
        }

        logger.LogDebug("Bad request {Method} {Path}: {Message}", http.Request.Method, http.Request.Path, bad.Message);
        http.Response.StatusCode = bad.StatusCode;
        var details = bad.StatusCode == StatusCodes.Status413PayloadTooLarge
            ? new HttpValidationProblemDetails() // RequestBodyLimit.Explain says the limit
            : FromJson(bad.InnerException as JsonException)
              ?? (bad.Message.Contains("no body was provided", StringComparison.Ordinal)
                  ? new HttpValidationProblemDetails(new Dictionary<string, string[]> { ["$"] = [BodyRequired] }) { Title = "Request body required" }
                  : new HttpValidationProblemDetails { Title = "Bad request", Detail = bad.Message });
        details.Status = bad.StatusCode;
        return await problems.TryWriteAsync(new ProblemDetailsContext { HttpContext = http, ProblemDetails = details, Exception = exception });
    }

    private static HttpValidationProblemDetails? FromJson(JsonException? json)
    {
        if (json is null)
        {
            return null;
        }

        var field = FieldOf(json.Path);
        var message =
            json.Message == AcceptedTimes.OutOfRangeInBody ? $"{field} {AcceptedTimes.Range}."
            : json.Message.Contains("could not be mapped to any .NET member", StringComparison.Ordinal) ? $"{field} is not a known field (check the spelling; unknown fields are rejected)."
            : json.Message.Contains("Duplicate", StringComparison.Ordinal) ? $"{field} is given more than once; give each field once."
            : json.Message.Contains("doesn't allow", StringComparison.Ordinal) && json.Message.Contains("null values", StringComparison.Ordinal) ? $"{field} must not be null: give a value or leave the field out."
            : json.InnerException is InvalidOperationException { Message: var text } && text.Contains("UTF-16", StringComparison.Ordinal)
                ? $"{field} is not valid Unicode text: {NotUnicode(text)}." // it said "expected a string"
            : json.Message.Contains("could not be converted", StringComparison.Ordinal) ? $"{field} has the wrong type: {Expected(json.Message, field)}."
            : $"the body is not valid JSON{(field == "$" ? "" : $" at {field}")}: {FirstSentence(json.Message)}";
        return new HttpValidationProblemDetails(new Dictionary<string, string[]> { [field] = [message] })
        {
            Title = "The request body is invalid",
        };
    }

    /// <summary>What the reader found: raw bytes that are not UTF-8, or an escape of half a surrogate pair (named as sent: <c>\udc00</c>).</summary>
    private static string NotUnicode(string readerMessage) =>
        readerMessage.Contains("UTF-8", StringComparison.Ordinal) ? "its bytes are not UTF-8 (send the body as UTF-8)"
        : System.Text.RegularExpressions.Regex.Match(readerMessage, "0x([0-9A-Fa-f]{4})") is { Success: true } value
            ? $"a lone surrogate escape (\\u{value.Groups[1].Value.ToLowerInvariant()} without its pair) stands for no character"
            : "a lone surrogate escape (the first half of a pair, with no second half after it) stands for no character";

    /// <summary><c>$.spec.metrics[0].target</c> → <c>spec.metrics[0].target</c>; the whole body is <c>$</c>.</summary>
    internal static string FieldOf(string? path) =>
        string.IsNullOrEmpty(path) || path == "$" ? "$" : path.StartsWith("$.", StringComparison.Ordinal) ? path[2..] : path.TrimStart('$');

    /// <summary>"could not be converted to System.Int32. Path: …" → "expected a whole number from … to …"; enums list their values.</summary>
    internal static string Expected(string message, string field)
    {
        var typeName = message.Split("converted to ", 2) is [_, var rest] ? rest.Split(". Path", 2)[0].Trim().TrimEnd('.') : "";
        var underlying = typeName.StartsWith("System.Nullable`1[", StringComparison.Ordinal) ? typeName[18..].Split(',', ']')[0] : typeName;
        underlying = ParameterType(underlying, field) ?? underlying;
        return underlying switch
        {
            // 9999999999 or 1.0 is refused too: the answer says which whole numbers, not only "a whole number" (which 9999999999 is).
            "System.Int32" => "expected a whole number from -2147483648 to 2147483647, without a decimal point or exponent",
            "System.Int64" => "expected a whole number from -9223372036854775808 to 9223372036854775807, without a decimal point or exponent",
            "System.Double" => "expected a number",
            "System.Boolean" => "expected true or false",
            "System.String" => "expected a string",
            "System.DateTimeOffset" => "expected an RFC 3339 time with its offset, such as 2026-12-04T20:00:00+08:00 or …Z",
            _ when Type.GetType($"{underlying}, {typeof(ScaleControl.Core.Policies.ScalePolicy).Assembly.FullName}") is { IsEnum: true } e
                => $"expected one of {string.Join(", ", Enum.GetNames(e))}",
            _ => $"expected a {underlying.Split('.')[^1]}",
        };
    }

    /// <summary>
    /// A record's constructor parameter is reported as the record ("could not be converted to …PinRequest", path
    /// <c>$.replicas</c>): the field's own type, found on the record, is what was expected.
    /// </summary>
    private static string? ParameterType(string typeName, string field)
    {
        // The record may be another assembly's (the sandbox's HotEventRequest said "expected a HotEventRequest").
        var owner = AppDomain.CurrentDomain.GetAssemblies().Select(a => a.GetType(typeName)).FirstOrDefault(t => t is not null);
        var name = field.Split('.')[^1].Split('[')[0];
        if (owner?.GetProperty(name, BindingFlags.Public | BindingFlags.Instance | BindingFlags.IgnoreCase) is not { } property)
        {
            return null;
        }

        return (Nullable.GetUnderlyingType(property.PropertyType) ?? property.PropertyType).FullName;
    }

    private static string FirstSentence(string message) => message.Split(". ", 2)[0];
}
