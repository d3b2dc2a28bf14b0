using ScaleControl.Core.Decisions;
using ScaleControl.Core.Policies;
using ScaleControl.Core.Ports;
using ScaleControl.Core.Signals;

namespace ScaleControl.Server.Control.Overrides;

/// <summary>
/// Reads the past demand an expected event's multiple is applied to (<see cref="ExpectedEventBaseline"/>) from the
/// metric source: one range query per window (the day before, the week before, and the hour before now on those days
/// and today, which compare their levels) and distinct PerReplica metric, all
/// within <see cref="Timeout"/>, so <c>prepare</c> stays quick. A source that is down, slow or refuses a query only
/// leaves the base at today's replicas (or the need under a pin), and the answer says why.
/// </summary>
public sealed class EventBaselineReader(IMetricSource metrics, TimeProvider time)
{
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(3);

    /// <summary>A source's error text is kept this short in the answer (the whole of it is in the source's own log).</summary>
    private const int MaxProblemLength = 120;

    /// <param name="now">The count the base may not go below: running now, or the need under a pin or freeze (<see cref="NeedUnderOverride"/>).</param>
    public async Task<EventBase> ReadAsync(ScalePolicySpec spec, NowCount now, DateTimeOffset at, int durationSeconds, CancellationToken cancellationToken)
    {
        var queries = ExpectedEventBaseline.Convertible(spec).Select(m => m.Query).Distinct(StringComparer.Ordinal).ToList();
        if (queries.Count == 0)
        {
            return ExpectedEventBaseline.Base(spec, now.Replicas, [], now.Words);
        }

        var clock = time.GetUtcNow();
        var days = ExpectedEventBaseline.Windows(at, durationSeconds, clock);
        IReadOnlyList<BaselineWindow> windows = [.. days, .. ExpectedEventBaseline.LevelWindows(days, clock)];
        using var timeout = new CancellationTokenSource(Timeout, time);
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
        var series = await Task.WhenAll(windows.SelectMany(w => queries.Select(q => ReadAsync(w, q, deadline.Token))));
        cancellationToken.ThrowIfCancellationRequested(); // the caller gave up: not a timeout to report
        return ExpectedEventBaseline.Base(spec, now.Replicas, series, now.Words);
    }

    private async Task<BaselineSeries> ReadAsync(BaselineWindow window, string query, CancellationToken cancellationToken)
    {
        try
        {
            return new BaselineSeries(window, query, await metrics.QueryRangeAsync(query, window.From, window.To, window.Step, cancellationToken));
        }
        catch (Exception ex) when (ex is MetricQueryException or OperationCanceledException or ArgumentException)
        {
            var problem = ex is OperationCanceledException ? $"no answer within {Timeout.TotalSeconds:0} s" : ex.Message;
            return new BaselineSeries(window, query, [], problem.Length <= MaxProblemLength ? problem : problem[..(MaxProblemLength - 1)] + "…");
        }
    }
}
