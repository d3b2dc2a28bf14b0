using System.Threading.RateLimiting;
using Microsoft.AspNetCore.RateLimiting;

namespace ScaleControl.Server.Api;

/// <summary>
/// The two reads a viewer can make expensive, bounded per replica so that no number of callers takes the process down:
/// <list type="bullet">
/// <item><c>whatif</c>: a week of history at up to 11,000 steps, every step a decision, a 5 MB answer. 40 at once (one
/// viewer token, one shell loop) took 30 s each, stopped the control loop from ticking for 26 s and grew the process by
/// ~500 MB. At most <see cref="ConcurrentReplays"/> run; the next is refused at once (a queue would hold the memory and
/// the connections all the same).</item>
/// <item><c>/dashboard</c>: every policy's chart; with 1,000 policies an 18 MB answer. 20 at once (20 open dashboards,
/// or one viewer's loop) doubled the process to 1 GB, past the chart's 384 MiB limit. At most
/// <see cref="ConcurrentDashboards"/> are built at once and <see cref="QueuedDashboards"/> wait their turn (a dashboard
/// polls again only after its answer, so that is as many open pages); beyond that the page says so and polls again.</item>
/// </list>
/// A refusal is 429 with Retry-After.
/// </summary>
public static class ReadLimits
{
    public const int ConcurrentReplays = 2;
    public const int ConcurrentDashboards = 2;
    public const int QueuedDashboards = 8;
    public const int RetryAfterSeconds = 5;
    private const string Replay = "replay";
    private const string Dashboard = "dashboard";

    public static IServiceCollection AddReadLimits(this IServiceCollection services) => services.AddRateLimiter(options =>
    {
        options.AddConcurrencyLimiter(Replay, limiter =>
        {
            limiter.PermitLimit = ConcurrentReplays;
            limiter.QueueLimit = 0;
        });
        options.AddConcurrencyLimiter(Dashboard, limiter =>
        {
            limiter.PermitLimit = ConcurrentDashboards;
            limiter.QueueLimit = QueuedDashboards;
            limiter.QueueProcessingOrder = QueueProcessingOrder.OldestFirst;
        });
        options.OnRejected = (context, _) =>
        {
            var http = context.HttpContext;
            http.Response.Headers.RetryAfter = RetryAfterSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
            var dashboard = http.GetEndpoint()?.Metadata.GetMetadata<EnableRateLimitingAttribute>()?.PolicyName == Dashboard;
            return new ValueTask(Results.Problem(
                statusCode: StatusCodes.Status429TooManyRequests,
                title: dashboard ? "Too many dashboard reads at once" : "Too many replays at once",
                detail: dashboard
                    ? $"at most {ConcurrentDashboards} dashboard reads run at once and {QueuedDashboards} wait on this server; try again in {RetryAfterSeconds} s."
                    : $"at most {ConcurrentReplays} what-if replays run at once on this server; try again in {RetryAfterSeconds} s.").ExecuteAsync(http));
        };
    });

    public static TBuilder LimitedAsReplay<TBuilder>(this TBuilder builder) where TBuilder : IEndpointConventionBuilder =>
        builder.RequireRateLimiting(Replay);

    public static TBuilder LimitedAsDashboard<TBuilder>(this TBuilder builder) where TBuilder : IEndpointConventionBuilder =>
        builder.RequireRateLimiting(Dashboard);
}
