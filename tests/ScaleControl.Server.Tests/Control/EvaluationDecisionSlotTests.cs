using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using ScaleControl.Core.Decisions;
using ScaleControl.Core.Ports;
using ScaleControl.Core.Signals;
using ScaleControl.Server.Control.Loop;
using ScaleControl.Server.Hosting;
using ScaleControl.Server.Tests.Infrastructure;
using ScaleControl.Testing.Stores;

namespace ScaleControl.Server.Tests.Control;

/// <summary>
/// An <see cref="Evaluation"/> reads its decision where it is kept instead of carrying a copy: a committed one is the
/// policy's remembered decision, overwritten by the next committed evaluation; a dry run keeps its own.
/// </summary>
public sealed class EvaluationDecisionSlotTests : IDisposable
{
    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(2026, 12, 5, 0, 0, 0, TimeSpan.Zero));
    private readonly TestMetrics _metrics = new();
    private readonly PolicyRuntimes _runtimes;
    private readonly Dictionary<string, MetricReading> _readings = new(StringComparer.Ordinal);

    public EvaluationDecisionSlotTests() => _runtimes = new(Options.Create(new ControlLoopOptions()), _metrics.Metrics);

    public void Dispose() => _metrics.Dispose();

    [Fact]
    public async Task Committed_ReadsTheRememberedDecision_AndRefusesAfterTheNextEvaluation()
    {
        var (evaluator, policy) = Rig(_metrics);

        var first = await EvaluateAsync(evaluator, policy, value: 10_000, commit: true);
        var remembered = _runtimes.Find("bench", "svc-0")!.Last!;
        Assert.Equal(remembered.Decision, first.Decision);
        Assert.Equal(20, first.Decision!.Value.DesiredReplicas);

        var second = await EvaluateAsync(evaluator, policy, value: 20_000, commit: true);
        Assert.Equal(40, second.Decision!.Value.DesiredReplicas);
        var stale = Assert.Throws<InvalidOperationException>(() => first.Decision);
        Assert.Contains("bench/svc-0 was evaluated again", stale.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task DryRun_KeepsItsOwnDecision()
    {
        var (evaluator, policy) = Rig(_metrics);

        var dry = await EvaluateAsync(evaluator, policy, value: 20_000, commit: false);
        Assert.Null(_runtimes.Find("bench", "svc-0")?.Last);

        var committed = await EvaluateAsync(evaluator, policy, value: 10_000, commit: true);
        Assert.Equal(40, dry.Decision!.Value.DesiredReplicas);
        Assert.Equal(20, committed.Decision!.Value.DesiredReplicas);
    }

    private (PolicyEvaluator Evaluator, Core.Policies.ScalePolicy Policy) Rig(TestMetrics metrics)
    {
        var workloads = new EvaluationAllocationTests.CachedWorkloads([new WorkloadState(new WorkloadRef("bench", "Deployment", "svc-0"), 20, 20, "1", null, TimeSpan.FromSeconds(45), null)]);
        var evaluator = new PolicyEvaluator(
            new DecisionEngine(), workloads, new EvaluationAllocationTests.UnusedMetricSource(), new InMemoryPolicyStore(_clock), new LeaderReadings(workloads, _runtimes), _runtimes, _clock, metrics.Metrics);
        return (evaluator, EvaluationAllocationTests.Policy(0));
    }

    private async Task<Evaluation> EvaluateAsync(PolicyEvaluator evaluator, Core.Policies.ScalePolicy policy, double value, bool commit)
    {
        _clock.Advance(TimeSpan.FromSeconds(5));
        var query = policy.Spec.Metrics[0].Query;
        _readings[query] = MetricReading.Ok(query, value, _clock.GetUtcNow().AddSeconds(-8));
        return await evaluator.EvaluateAsync(policy, _readings, new LeaderReadings.Tick([policy]), commit, CancellationToken.None);
    }
}
