using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Http.HttpResults;
using ScaleControl.Core.Ports;
using ScaleControl.Core.Proposals;
using ScaleControl.Server.Auth;
using ScaleControl.Server.Control.Loop;
using ScaleControl.Server.Control.Queries;

namespace ScaleControl.Server.Api;

/// <summary>
/// One chart sample. <paramref name="Backfilled"/> (only written when true): the loop was not watching then (a restart, a
/// leader change, a new policy); the value is Prometheus' record and <paramref name="Current"/> the replicas the applied
/// changes left (null: none known), with no prediction, desired or ready count.
/// </summary>
public sealed record SeriesPoint(
    DateTimeOffset Time, double? Value, double? Predicted, int? Desired, int? Ready, int? Current,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)] bool Backfilled = false);

public sealed record PolicySeries(string Namespace, string Name, IReadOnlyList<SeriesPoint> Points);

public sealed record DashboardView(StatusView Status, IReadOnlyList<PolicySeries> Series, IReadOnlyList<ScaleProposal> Proposals, IReadOnlyList<HistoryEntry> Recent);

/// <summary><c>/api/v1/status</c> and <c>/api/v1/dashboard</c>: the loop's view of every policy, with recent series for charts.</summary>
public static class StatusEndpoints
{
    public static RouteGroupBuilder MapStatusEndpoints(this IEndpointRouteBuilder routes)
    {
        // Only the leader evaluates, so a follower forwards these reads of the loop's memory to it (LeaderForwarding).
        var group = routes.MapGroup("/api/v1").WithTags("Status").RequireAuthorization(AccessPolicies.Viewer)
            .AddEndpointFilter((context, next) => context.HttpContext.RequestServices.GetRequiredService<LeaderForwarding>().InvokeAsync(context, next)); // the one instance: it remembers the last failure
        group.MapGet("/status", GetStatus).WithName(nameof(GetStatus)).WithSummary("Leader, last tick and every policy's current state and metric health.")
            .LimitedAsStatus();
        group.MapGet("/dashboard", GetDashboard).WithName(nameof(GetDashboard)).WithSummary("Status plus recent series, open proposals and the last 20 history entries.")
            .LimitedAsDashboard();
        return group;
    }

    public static async Task<Ok<StatusView>> GetStatus(StatusService status, CancellationToken cancellationToken) =>
        TypedResults.Ok(await status.GetAsync(cancellationToken));

    public static async Task<Results<Ok<DashboardView>, ValidationProblem>> GetDashboard(
        StatusService status, PolicyRuntimes runtimes, IProposalStore proposals, HistoryService history, TimeProvider time,
        int? minutes, CancellationToken cancellationToken)
    {
        if (minutes is < 1 or > 24 * 60)
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["minutes"] = ["minutes must be between 1 and 1440."] });
        }

        var now = time.GetUtcNow();
        var from = now.AddMinutes(-(minutes ?? 30));
        var view = await status.GetAsync(cancellationToken);
        var series = view.Policies.Select(p => new PolicySeries(
            p.Namespace,
            p.Name,
            runtimes.Find(p.Namespace, p.Name)?.Since(from)
                .Select(s => new SeriesPoint(s.Time, s.Value, s.Predicted, s.Desired, s.Ready, s.Current, s.Backfilled))
                .ToList() ?? [])).ToList();
        var open = (await proposals.ListAsync(null, cancellationToken))
            .Where(p => p.Status.Phase.IsOpen())
            .OrderByDescending(ProposalFactory.CreatedAt)
            .ToList();
        var recent = (await history.ListAsync(null, now.AddHours(-24), now, cancellationToken)).Take(20).ToList();
        return TypedResults.Ok(new DashboardView(view, series, open, recent));
    }
}
