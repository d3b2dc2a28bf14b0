using System.Globalization;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;
using ScaleControl.Sandbox.Kubernetes.Api;

namespace ScaleControl.Sandbox.Kubernetes.Http;

/// <summary>
/// The query of <c>GET pods/{name}/log</c> (PodLogOptions), checked as the apiserver's ValidatePodLogOptions does:
/// a 422 naming the field for a negative tailLines, a limitBytes or sinceSeconds below 1, or both since options.
/// </summary>
internal sealed record PodLogOptions(
    string? Container, bool Follow, bool Previous, bool Timestamps, long? TailLines, long? LimitBytes, long? SinceSeconds, DateTimeOffset? SinceTime)
{
    public static PodLogOptions Parse(IQueryCollection query, string podName)
    {
        var options = new PodLogOptions(
            query["container"].ToString() is { Length: > 0 } container ? container : null,
            WatchStreamer.IsTrue(query["follow"]),
            WatchStreamer.IsTrue(query["previous"]),
            WatchStreamer.IsTrue(query["timestamps"]),
            Integer(query, "tailLines"),
            Integer(query, "limitBytes"),
            Integer(query, "sinceSeconds"),
            Time(query["sinceTime"]));
        var errors = new List<FieldError>();
        if (options.TailLines is < 0)
        {
            errors.Add(FieldError.Invalid("tailLines", JsonValue.Create(options.TailLines), "must be greater than or equal to 0"));
        }

        if (options.LimitBytes is < 1)
        {
            errors.Add(FieldError.Invalid("limitBytes", JsonValue.Create(options.LimitBytes), "must be greater than 0"));
        }

        if (options.SinceSeconds is not null && options.SinceTime is not null)
        {
            errors.Add(FieldError.Forbidden("", "at most one of `sinceTime` or `sinceSeconds` may be specified"));
        }
        else if (options.SinceSeconds is < 1)
        {
            errors.Add(FieldError.Invalid("sinceSeconds", JsonValue.Create(options.SinceSeconds), "must be greater than 0"));
        }

        return errors.Count == 0 ? options : throw ApiErrors.Invalid("PodLogOptions", "", podName, errors);
    }

    /// <summary>The earliest line time wanted (sinceSeconds counts back from now), or null for all.</summary>
    public DateTimeOffset? Since(DateTimeOffset now) => SinceTime ?? (SinceSeconds is { } seconds ? now.AddSeconds(-seconds) : null);

    private static long? Integer(IQueryCollection query, string name) =>
        query[name].ToString() is not { Length: > 0 } text ? null
        : long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value) ? value
        : throw ApiErrors.BadRequest($"{name}: invalid value \"{text}\": not an integer");

    private static DateTimeOffset? Time(string? text) =>
        string.IsNullOrEmpty(text) ? null
        : DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal, out var t) ? t
        : throw ApiErrors.BadRequest($"sinceTime: invalid value \"{text}\": not an RFC 3339 time");
}
