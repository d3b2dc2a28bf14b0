using Microsoft.Extensions.Options;
using ScaleControl.Core.Decisions;
using ScaleControl.Core.Policies;
using ScaleControl.Core.Ports;
using ScaleControl.Core.Proposals;
using ScaleControl.Core.Signals;
using ScaleControl.Server.Hosting;
using ScaleControl.Server.Telemetry;

namespace ScaleControl.Server.Control.Loop;

/// <summary>
/// Gives a policy the past its loop did not watch — a new leader, a restart, a new policy, a lease lost for a while —
/// before it is evaluated: its metrics' recent samples from Prometheus (one range query per distinct expression) and
/// the scale changes applied meanwhile from the ScaleProposals (who applied them does not matter). So the trend, the
/// noise, the change budget, cooldowns and step limits work from the first evaluation instead of after minutes.
/// Recommendations are not made up from the samples: the watch-start hold (<see cref="PolicyHistory.RecordWatchStart"/>)
/// still keeps a loop that was not watching from cutting capacity for one scale-down window.
/// The dashboard's charts get the past too (<see cref="ChartBackfill"/>), marked as filled in.
/// Bounded by <see cref="ControlLoopOptions.BackfillTimeoutSeconds"/>: a slow or failing Prometheus only means the
/// policy (and its charts) starts without its past, as before.
/// </summary>
public sealed class HistoryBackfill(
    IMetricSource metrics, PolicyRuntimes runtimes, IOptions<ControlLoopOptions> options, TimeProvider time, ILogger<HistoryBackfill> logger)
{
    /// <summary>
    /// Fills the history of every policy in <paramref name="due"/> that was not evaluated within <see cref="Unwatched"/>,
    /// once per such gap; the applied changes come from <paramref name="proposals"/>, the tick's listing.
    /// </summary>
    public async Task FillAsync(IReadOnlyList<ScalePolicy> due, IReadOnlyCollection<ScaleProposal> proposals, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var unwatched = new List<(ScalePolicy Policy, PolicyRuntime Runtime)>();
        foreach (var policy in due)
        {
            var runtime = runtimes.For(policy.Metadata.Namespace, policy.Metadata.Name);
            var last = runtime.LastEvaluated;
            var watching = last is { } seen && now - seen <= Unwatched(policy.Spec);
            var triedThisGap = runtime.BackfilledAt is { } at && (last is null || at > last);
            if (!watching && !triedThisGap)
            {
                unwatched.Add((policy, runtime));
            }
        }

        if (unwatched.Count == 0)
        {
            return;
        }

        foreach (var (_, runtime) in unwatched)
        {
            runtime.BackfilledAt = now; // once per gap: a Prometheus that fails is not asked again every tick
        }

        var settings = options.Value;
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(settings.BackfillTimeoutSeconds), time);
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
        var step = TimeSpan.FromSeconds(settings.BackfillStepSeconds);
        var span = unwatched.Max(u => Span(u.Policy.Spec));
        var queries = unwatched.SelectMany(u => u.Policy.Spec.Metrics).Select(m => m.Query).Distinct(StringComparer.Ordinal).ToList();
        var answers = await Task.WhenAll(queries.Select(q => RangeAsync(q, now - span, now, step, deadline.Token)));
        var series = queries.Zip(answers).ToDictionary(a => a.First, a => a.Second, StringComparer.Ordinal);
        var failure = answers.Select(a => a.Problem).FirstOrDefault(p => p is not null);

        var applied = AppliedChangesOf(unwatched, proposals);
        var (samples, changes) = (0, 0);
        foreach (var (policy, runtime) in unwatched)
        {
            lock (runtime.Gate)
            {
                samples += AddSamples(runtime.History, policy.Spec, series, now - Span(policy.Spec), now);
                changes += runtime.History.RecordChanges(applied.GetValueOrDefault((policy.Metadata.Namespace, policy.Metadata.Name)) ?? [], policy.Spec, now);
            }
        }

        var (charted, chartFailure) = await FillChartsAsync(unwatched, applied, now, deadline.Token);
        failure ??= chartFailure;
        logger.HistoryBackfilled(unwatched.Count, samples, changes, charted, failure is null ? "" : $"; without Prometheus' past for some: {failure}");
    }

    /// <summary>
    /// The dashboard's charts (<see cref="ChartBackfill"/>): their own range queries, at the ring's step over its span,
    /// asked after the decision history's (left as they were) on what is left of the same time budget, so a longer
    /// chart query never costs the decisions their past.
    /// </summary>
    private async Task<(int Samples, string? Problem)> FillChartsAsync(
        List<(ScalePolicy Policy, PolicyRuntime Runtime)> unwatched, Dictionary<(string, string), List<ScaleChange>> applied, DateTimeOffset now, CancellationToken deadline)
    {
        var settings = options.Value;
        var gaps = unwatched
            .Select(u => (u.Policy, u.Runtime, Gap: ChartBackfill.GapOf(u.Policy.Spec, u.Runtime.NewestSample, now, settings.EvaluationRingSize, TimeSpan.FromSeconds(settings.BackfillStepSeconds))))
            .Where(u => u.Gap is not null)
            .ToList();
        var ranges = ChartBackfill.Ranges(gaps.Select(g => g.Gap!.Value), now, settings.EvaluationRingSize);
        var answers = await Task.WhenAll(ranges.Select(r => RangeAsync(r.Query, r.From, now, r.Step, deadline)));
        var series = ranges.Zip(answers).ToDictionary(a => a.First.Query, a => a.Second.Points, StringComparer.Ordinal);
        var samples = 0;
        foreach (var (policy, runtime, gap) in gaps)
        {
            var changes = applied.GetValueOrDefault((policy.Metadata.Namespace, policy.Metadata.Name)) ?? [];
            samples += runtime.Backfill(ChartBackfill.Samples(gap!.Value, series[gap.Value.Query], changes, now));
        }

        return (samples, answers.Select(a => a.Problem).FirstOrDefault(p => p is not null));
    }

    /// <summary>Not evaluated for this long: the loop was not watching (three intervals, at least 30 s, so a slow tick does not count).</summary>
    public static TimeSpan Unwatched(ScalePolicySpec spec) => TimeSpan.FromSeconds(Math.Max(30, 3 * spec.EvaluationIntervalSeconds));

    /// <summary>How far back the samples are asked for: what the trend and the noise look at.</summary>
    private static TimeSpan Span(ScalePolicySpec spec) => TimeSpan.FromSeconds(Math.Max(spec.Prediction.LookBackSeconds, 600));

    private async Task<(IReadOnlyList<MetricPoint> Points, string? Problem)> RangeAsync(string query, DateTimeOffset from, DateTimeOffset to, TimeSpan step, CancellationToken cancellationToken)
    {
        try
        {
            return (await metrics.QueryRangeAsync(query, from, to, step, cancellationToken), null);
        }
        catch (Exception ex) when (ex is MetricQueryException or OperationCanceledException or ArgumentException)
        {
            return ([], ex is OperationCanceledException ? $"no answer within {options.Value.BackfillTimeoutSeconds:0.#} s" : ex.Message);
        }
    }

    /// <summary>The metrics' points after what the history already holds (in time order, as it keeps them) and before now (the tick's own reading).</summary>
    private static int AddSamples(PolicyHistory history, ScalePolicySpec spec, Dictionary<string, (IReadOnlyList<MetricPoint> Points, string? Problem)> series, DateTimeOffset from, DateTimeOffset now)
    {
        var added = 0;
        foreach (var metric in spec.Metrics)
        {
            var kept = history.Samples(metric.Name);
            var newest = kept.Count > 0 ? kept[^1].Time : DateTimeOffset.MinValue;
            foreach (var point in series[metric.Query].Points)
            {
                if (point.Time >= from && point.Time > newest && point.Time < now && double.IsFinite(point.Value))
                {
                    history.AddSample(metric.Name, point);
                    newest = point.Time;
                    added++;
                }
            }
        }

        return added;
    }

    /// <summary>Every applied change (each applied part of a partly approved proposal too) of the policies, by policy (<see cref="AppliedChanges"/>).</summary>
    private static Dictionary<(string, string), List<ScaleChange>> AppliedChangesOf(List<(ScalePolicy Policy, PolicyRuntime Runtime)> unwatched, IReadOnlyCollection<ScaleProposal> proposals)
    {
        var wanted = unwatched.Select(u => (u.Policy.Metadata.Namespace, u.Policy.Metadata.Name)).ToHashSet();
        var byPolicy = new Dictionary<(string, string), List<ScaleChange>>();
        foreach (var proposal in proposals)
        {
            var key = (proposal.Metadata.Namespace, proposal.Spec.PolicyName);
            if (!wanted.Contains(key))
            {
                continue;
            }

            if (!byPolicy.TryGetValue(key, out var list))
            {
                byPolicy[key] = list = [];
            }

            list.AddRange(AppliedChanges.Of(proposal));
        }

        return byPolicy;
    }
}
