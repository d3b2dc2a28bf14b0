using System.Globalization;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.RateLimiting;

namespace ScaleControl.Server.Api;

/// <summary>
/// The reads a viewer can make expensive, bounded per replica so that no number of callers takes the process down:
/// <list type="bullet">
/// <item><c>whatif</c>: a week of history at up to 11,000 steps, every step a decision, a 5 MB answer. 40 at once (one
/// viewer token, one shell loop) took 30 s each, stopped the control loop from ticking for 26 s and grew the process by
/// ~500 MB. At most <see cref="ConcurrentReplays"/> run; the next is refused at once (a queue would hold the memory and
/// the connections all the same).</item>
/// <item><c>/dashboard</c>: every policy's chart; with 1,000 policies an 18 MB answer. 20 at once (20 open dashboards,
/// or one viewer's loop) doubled the process to 1 GB, past the chart's 384 MiB limit. At most
/// <see cref="ConcurrentDashboards"/> are built at once and <see cref="QueuedDashboards"/> wait their turn (a dashboard
/// polls again only after its answer, so that is as many open pages); beyond that the page says so and polls again.</item>
/// <item><c>/status</c> (0.6 MB and 34 ms with 1,000 policies) and <c>/history</c> (up to its <c>limit</c> of rows, after
/// reading every retained proposal): cheaper, but a viewer polling them in a loop competed with the control loop for
/// CPU without bound. Each has <see cref="ConcurrentListings"/> at once and <see cref="QueuedListings"/> waiting (scalectl
/// and scripts ask once and wait for the answer).</item>
/// </list>
/// Each caller (a token's user; an unauthenticated caller by its address) has its own share of each limit as well
/// (<see cref="PerCallerListings"/> status or history reads running and <see cref="PerCallerQueuedListings"/> waiting, and so on), so one script polling in a
/// loop cannot keep the on-call person's dashboard or <c>scalectl status</c> at 429 during a storm.
/// A refusal is 429 ProblemDetails with Retry-After.
/// </summary>
public static class ReadLimits
{
    public const int ConcurrentReplays = 2;
    public const int ConcurrentDashboards = 2;
    public const int QueuedDashboards = 8;
    public const int ConcurrentListings = 4;
    public const int QueuedListings = 8;
    public const int RetryAfterSeconds = 5;

    public const int PerCallerReplays = 1;
    public const int PerCallerDashboards = 2;
    public const int PerCallerQueuedDashboards = 6; // a person keeps several tabs open (each polls again after its answer); the sandbox's pages are one caller
    public const int PerCallerListings = 2;
    public const int PerCallerQueuedListings = 2;

    private static readonly Limit s_replay = new("replay", "what-if replays", ConcurrentReplays, Queued: 0, PerCallerReplays, PerCallerQueued: 0);
    private static readonly Limit s_dashboard = new("dashboard", "dashboard reads", ConcurrentDashboards, QueuedDashboards, PerCallerDashboards, PerCallerQueuedDashboards);
    private static readonly Limit s_status = new("status", "status reads", ConcurrentListings, QueuedListings, PerCallerListings, PerCallerQueuedListings);
    private static readonly Limit s_history = new("history", "history reads", ConcurrentListings, QueuedListings, PerCallerListings, PerCallerQueuedListings);
    private static readonly Limit[] s_all = [s_replay, s_dashboard, s_status, s_history];

    public static IServiceCollection AddReadLimits(this IServiceCollection services) => services.AddRateLimiter(options =>
    {
        foreach (var limit in s_all)
        {
            options.AddConcurrencyLimiter(limit.Policy, limiter =>
            {
                limiter.PermitLimit = limit.Concurrent;
                limiter.QueueLimit = limit.Queued;
                limiter.QueueProcessingOrder = QueueProcessingOrder.OldestFirst;
            });
        }

        // Runs before the endpoint's limiter: a caller past its own share never takes one of the server's places.
        options.GlobalLimiter = PartitionedRateLimiter.Create<HttpContext, (string, string)>(http =>
            LimitOf(http) is { } limit
                ? RateLimitPartition.GetConcurrencyLimiter((limit.Policy, Caller(http)), _ => new ConcurrencyLimiterOptions
                {
                    PermitLimit = limit.PerCaller,
                    QueueLimit = limit.PerCallerQueued,
                    QueueProcessingOrder = QueueProcessingOrder.OldestFirst,
                })
                : RateLimitPartition.GetNoLimiter(("", "")));

        options.OnRejected = (context, _) =>
        {
            var http = context.HttpContext;
            http.Response.Headers.RetryAfter = RetryAfterSeconds.ToString(CultureInfo.InvariantCulture);
            var limit = LimitOf(http) ?? s_replay;
            var server = limit.Queued == 0
                ? $"at most {limit.Concurrent} {limit.What} run at once on this server, {limit.PerCaller} per caller"
                : $"at most {limit.Concurrent} {limit.What} run at once and {limit.Queued} wait on this server, {limit.PerCaller} and {limit.PerCallerQueued} per caller";
            return new ValueTask(Results.Problem(
                statusCode: StatusCodes.Status429TooManyRequests,
                title: $"Too many {limit.What} at once",
                detail: $"{server}; try again in {RetryAfterSeconds} s.").ExecuteAsync(http));
        };
    });

    private static Limit? LimitOf(HttpContext http) =>
        http.GetEndpoint()?.Metadata.GetMetadata<EnableRateLimitingAttribute>()?.PolicyName is { } policy
            ? s_all.FirstOrDefault(l => l.Policy == policy)
            : null;

    /// <summary>The token's user; a caller without one by its address (authorization runs first, so only where none is asked).</summary>
    private static string Caller(HttpContext http) =>
        http.User.Identity is { IsAuthenticated: true, Name: { } name } ? $"user:{name}" : $"address:{http.Connection.RemoteIpAddress}";

    public static TBuilder LimitedAsReplay<TBuilder>(this TBuilder builder) where TBuilder : IEndpointConventionBuilder =>
        builder.RequireRateLimiting(s_replay.Policy);

    public static TBuilder LimitedAsDashboard<TBuilder>(this TBuilder builder) where TBuilder : IEndpointConventionBuilder =>
        builder.RequireRateLimiting(s_dashboard.Policy);

    public static TBuilder LimitedAsStatus<TBuilder>(this TBuilder builder) where TBuilder : IEndpointConventionBuilder =>
        builder.RequireRateLimiting(s_status.Policy);

    public static TBuilder LimitedAsHistory<TBuilder>(this TBuilder builder) where TBuilder : IEndpointConventionBuilder =>
        builder.RequireRateLimiting(s_history.Policy);

    /// <summary>One limit: its policy name, what it counts (for the refusal), how many run at once and wait, on the server and per caller.</summary>
    private sealed record Limit(string Policy, string What, int Concurrent, int Queued, int PerCaller, int PerCallerQueued);
}
