using System.Globalization;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using ScaleControl.Server.Auth;
using ScaleControl.Server.Hosting;
using ScaleControl.Server.Control.Queries;

namespace ScaleControl.Server.Api;

/// <summary><c>/api/v1/history</c>: what happened, who did it and why, newest first.</summary>
public static class HistoryEndpoints
{
    /// <summary>
    /// Rows in one answer unless <c>limit</c> says otherwise: retention keeps up to 20 finished proposals per policy, a
    /// few rows each, so a fleet of 1,000 policies holds ~100,000 rows (≈ 30 MB of JSON) that one call answered whole.
    /// </summary>
    public const int DefaultLimit = 1000;

    public const int MaxLimit = 5000;

    public static RouteGroupBuilder MapHistoryEndpoints(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/api/v1/history").WithTags("History").RequireAuthorization(AccessPolicies.Viewer);
        group.MapGet("/", ListHistory).WithName(nameof(ListHistory))
            .WithSummary("Proposals, approvals and actions in a time range (default: the last 24 h), the newest `limit` (default 1000, at most 5000).")
            .LimitedAsHistory();
        return group;
    }

    public static async Task<Results<Ok<IReadOnlyList<HistoryEntry>>, ValidationProblem>> ListHistory(
        HistoryService history, TimeProvider time, IOptions<ControlLoopOptions> options, HttpContext http,
        string? @namespace, DateTimeOffset? from, DateTimeOffset? to, int? limit, CancellationToken cancellationToken)
    {
        if (limit is < 1 or > MaxLimit)
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["limit"] = [$"limit must be between 1 and {MaxLimit}."] });
        }

        var end = to ?? time.GetUtcNow();
        var start = from ?? end.AddHours(-options.Value.HistoryHours);
        if (start > end)
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["from"] = ["from must be before to."] });
        }

        var entries = await history.ListAsync(string.IsNullOrEmpty(@namespace) ? null : @namespace, start, end, cancellationToken);
        var shown = limit ?? DefaultLimit;
        if (entries.Count <= shown)
        {
            return TypedResults.Ok(entries);
        }

        // Cut, never silently: the caller (scalectl prints it) learns how to see the rest, in its own flags too.
        var note = string.Create(CultureInfo.InvariantCulture,
            $"showing the newest {shown} of {entries.Count} entries; narrow from/to or namespace, or raise limit (at most {MaxLimit}; scalectl: --since, -n, --limit)");
        ApiWarnings.Add(http, note);
        return TypedResults.Ok<IReadOnlyList<HistoryEntry>>([.. entries.Take(shown)]);
    }
}
