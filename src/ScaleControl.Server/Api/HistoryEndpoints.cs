using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using ScaleControl.Server.Auth;
using ScaleControl.Server.Hosting;
using ScaleControl.Server.Control.Queries;

namespace ScaleControl.Server.Api;

/// <summary><c>/api/v1/history</c>: what happened, who did it and why, newest first.</summary>
public static class HistoryEndpoints
{
    public static RouteGroupBuilder MapHistoryEndpoints(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/api/v1/history").WithTags("History").RequireAuthorization(AccessPolicies.Viewer);
        group.MapGet("/", ListHistory).WithName(nameof(ListHistory)).WithSummary("Proposals, approvals and actions in a time range (default: the last 24 h).");
        return group;
    }

    public static async Task<Results<Ok<IReadOnlyList<HistoryEntry>>, ValidationProblem>> ListHistory(
        HistoryService history, TimeProvider time, IOptions<ControlLoopOptions> options,
        string? @namespace, DateTimeOffset? from, DateTimeOffset? to, CancellationToken cancellationToken)
    {
        var end = to ?? time.GetUtcNow();
        var start = from ?? end.AddHours(-options.Value.HistoryHours);
        if (start > end)
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["from"] = ["from must be before to."] });
        }

        return TypedResults.Ok(await history.ListAsync(string.IsNullOrEmpty(@namespace) ? null : @namespace, start, end, cancellationToken));
    }
}
