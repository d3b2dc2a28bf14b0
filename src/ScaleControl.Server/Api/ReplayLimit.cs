using Microsoft.AspNetCore.RateLimiting;

namespace ScaleControl.Server.Api;

/// <summary>
/// <c>whatif</c> is the one read a viewer can make expensive: a week of history at up to 11,000 steps, every step
/// a decision, a 5 MB answer. 40 at once (one viewer token, one shell loop) took 30 s each, stopped the control loop
/// from ticking for 26 s and grew the process by ~500 MB. At most <see cref="Concurrent"/> run at once; the next is
/// refused at once with 429 and Retry-After (a queue would hold the memory and the connections all the same).
/// </summary>
public static class ReplayLimit
{
    public const int Concurrent = 2;
    public const int RetryAfterSeconds = 5;
    private const string PolicyName = "replay";

    public static IServiceCollection AddReplayLimit(this IServiceCollection services) => services.AddRateLimiter(options =>
    {
        options.AddConcurrencyLimiter(PolicyName, limiter =>
        {
            limiter.PermitLimit = Concurrent;
            limiter.QueueLimit = 0;
        });
        options.OnRejected = (context, _) =>
        {
            context.HttpContext.Response.Headers.RetryAfter = RetryAfterSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
            return new ValueTask(Results.Problem(
                statusCode: StatusCodes.Status429TooManyRequests,
                title: "Too many replays at once",
                detail: $"at most {Concurrent} what-if replays run at once on this server; try again in {RetryAfterSeconds} s.").ExecuteAsync(context.HttpContext));
        };
    });

    public static TBuilder LimitedAsReplay<TBuilder>(this TBuilder builder) where TBuilder : IEndpointConventionBuilder =>
        builder.RequireRateLimiting(PolicyName);
}
