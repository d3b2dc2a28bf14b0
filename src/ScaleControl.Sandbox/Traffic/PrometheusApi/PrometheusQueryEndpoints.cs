using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace ScaleControl.Sandbox.Traffic.PrometheusApi;

/// <summary>
/// The part of Prometheus' HTTP API that a metric source needs, answered from the traffic simulator:
/// <c>{prefix}/api/v1/query</c> and <c>{prefix}/api/v1/query_range</c>, by GET or POST form, with Prometheus' JSON
/// envelopes and error bodies. So the sandbox is read through the same Prometheus adapter as a cluster.
/// </summary>
public static class PrometheusQueryEndpoints
{
    /// <summary>Where the API lives in the sandbox host; a Prometheus client's base URL is <c>{host}/sandbox/prometheus/</c>.</summary>
    public const string Prefix = "/sandbox/prometheus";

    /// <summary>Prometheus' own cap on points per series in a range query.</summary>
    public const int MaxRangePoints = 11_000;

    /// <summary>The longest query text or parameter accepted, and the largest form body.</summary>
    public const int MaxParameterLength = 8 * 1024;
    public const long MaxFormBytes = 64 * 1024;

    public static IEndpointRouteBuilder MapSandboxPrometheusApi(this IEndpointRouteBuilder endpoints)
    {
        var api = endpoints.MapGroup(Prefix + "/api/v1").WithTags("Sandbox traffic").ExcludeFromDescription();
        api.MapMethods("/query", [HttpMethods.Get, HttpMethods.Post], Query);
        api.MapMethods("/query_range", [HttpMethods.Get, HttpMethods.Post], QueryRange);
        return endpoints;
    }

    private static async Task Query(HttpContext context)
    {
        var engine = context.RequestServices.GetRequiredService<SandboxQueryEngine>();
        var parameters = await PrometheusParameters.ReadAsync(context.Request, context.RequestAborted);
        var answer = parameters.Error is { } error
            ? PrometheusAnswer.BadData(error)
            : parameters.RequiredQuery(out var query) is { } missing ? PrometheusAnswer.BadData(missing)
            : parameters.OptionalTime("time", out var time) is { } badTime ? PrometheusAnswer.BadData(badTime)
            : engine.Instant(query, time);
        await answer.WriteAsync(context.Response, context.RequestAborted);
    }

    private static async Task QueryRange(HttpContext context)
    {
        var engine = context.RequestServices.GetRequiredService<SandboxQueryEngine>();
        var parameters = await PrometheusParameters.ReadAsync(context.Request, context.RequestAborted);
        var answer = parameters.Error is { } error
            ? PrometheusAnswer.BadData(error)
            : parameters.RequiredQuery(out var query) is { } missing ? PrometheusAnswer.BadData(missing)
            : parameters.RequiredTime("start", out var start) is { } badStart ? PrometheusAnswer.BadData(badStart)
            : parameters.RequiredTime("end", out var end) is { } badEnd ? PrometheusAnswer.BadData(badEnd)
            : parameters.RequiredDuration("step", out var step) is { } badStep ? PrometheusAnswer.BadData(badStep)
            : RangeProblem(start, end, step) is { } badRange ? PrometheusAnswer.BadData(badRange)
            : engine.Range(query, start, end, step);
        await answer.WriteAsync(context.Response, context.RequestAborted);
    }

    /// <summary>The checks and messages of Prometheus' query_range handler.</summary>
    private static string? RangeProblem(DateTimeOffset start, DateTimeOffset end, TimeSpan step) =>
        end < start ? "end timestamp must not be before start time"
        : step <= TimeSpan.Zero ? "zero or negative query resolution step widths are not accepted. Try a positive integer"
        : (end - start) / step > MaxRangePoints ? $"exceeded maximum resolution of {MaxRangePoints} points per timeseries. Try decreasing the query resolution (?step=XX)"
        : null;
}
