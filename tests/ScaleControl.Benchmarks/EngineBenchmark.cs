using BenchmarkDotNet.Attributes;
using ScaleControl.Core.Decisions;
using ScaleControl.Core.Policies;
using ScaleControl.Core.Ports;
using ScaleControl.Core.Signals;

namespace ScaleControl.Benchmarks;

/// <summary>
/// 10,000 policy evaluations per invocation: 100 policies (one metric, prediction on, HPA-default behaviour),
/// each with two minutes of 5 s samples and five minutes of recommendations in its history, half of them
/// in a rising trend (prediction and step limits at work), half flat (tolerance band).
/// </summary>
[MemoryDiagnoser]
public class EngineBenchmark
{
    public const int Evaluations = 10_000;
    private const int Policies = 100;

    private readonly DecisionEngine _engine = new();
    private DecisionInput[] _inputs = [];
    private DateTimeOffset[] _clocks = [];
    private Dictionary<string, MetricReading>[] _readings = [];

    [GlobalSetup]
    public void Setup()
    {
        var now = new DateTimeOffset(2026, 11, 25, 10, 0, 0, TimeSpan.Zero);
        _inputs = new DecisionInput[Policies];
        _clocks = [.. Enumerable.Repeat(now, Policies)];
        _readings = [.. Enumerable.Range(0, Policies).Select(_ => new Dictionary<string, MetricReading>(1))];
        for (var i = 0; i < Policies; i++)
        {
            var policy = new ScalePolicy
            {
                Metadata = new ObjectMeta { Name = $"svc-{i}", Namespace = "bench" },
                Spec = new ScalePolicySpec
                {
                    Target = new TargetRef { Name = $"svc-{i}" },
                    Metrics = [new MetricSpec { Name = "qps", Query = $"sum(rate(http_requests_total{{svc=\"svc-{i}\"}}[30s]))", Target = 500 }],
                    MinReplicas = 2,
                    MaxReplicas = 500,
                },
            };

            var rising = i % 2 == 0;
            var history = new PolicyHistory();
            for (var s = 120; s > 0; s -= 5)
            {
                var value = rising ? 10_000 + ((120 - s) * 80) : 10_000 + ((s % 3) * 100);
                history.AddSample("qps", new MetricPoint(now.AddSeconds(-s), value));
            }

            for (var s = 300; s > 0; s -= 5)
            {
                history.AddRecommendation(now.AddSeconds(-s), 20);
            }

            history.AddChange(new ScaleChange(now.AddSeconds(-400), 10, 20));
            var current = rising ? 20_000.0 : 10_050.0;
            var query = policy.Spec.Metrics[0].Query;
            var readings = new Dictionary<string, MetricReading> { [query] = MetricReading.Ok(query, current, now.AddSeconds(-8)) };
            var workload = new WorkloadState(new WorkloadRef("bench", "Deployment", $"svc-{i}"), 20, 20, "1", null, TimeSpan.FromSeconds(45), null);
            _inputs[i] = new DecisionInput(policy, readings, workload, history, now);
        }
    }

    /// <summary>
    /// The control loop's whole evaluation: a fresh reading 5 s later, Decide, then the history bookkeeping
    /// (sample, recommendation, trim) as <see cref="DecisionRecorder.RecordEvaluation"/> does it.
    /// </summary>
    [Benchmark(Description = "10,000 evaluations incl. bookkeeping")]
    public int TenThousandEvaluationsWithBookkeeping()
    {
        var sum = 0;
        for (var i = 0; i < Evaluations; i++)
        {
            var p = i % Policies;
            var input = _inputs[p];
            _clocks[p] = _clocks[p].AddSeconds(5);
            var next = input with { Now = _clocks[p], Readings = Next(p, input.Policy.Spec.Metrics[0].Query) };
            var decision = _engine.Decide(next);
            next.History.RecordEvaluation(next, decision);
            sum += decision.DesiredReplicas;
        }

        return sum;
    }

    /// <summary>The next reading: the policy's level with a little deterministic wobble, sampled 8 s ago.</summary>
    private Dictionary<string, MetricReading> Next(int policy, string query)
    {
        var readings = _readings[policy];
        var value = (policy % 2 == 0 ? 20_000.0 : 10_050.0) * (1 + ((((policy + _clocks[policy].Second) % 7) - 3) * 0.002));
        readings[query] = MetricReading.Ok(query, value, _clocks[policy].AddSeconds(-8));
        return readings;
    }

    [Benchmark(Description = "10,000 evaluations")]
    public int TenThousandEvaluations()
    {
        var sum = 0;
        for (var i = 0; i < Evaluations; i++)
        {
            sum += _engine.Decide(_inputs[i % Policies]).DesiredReplicas;
        }

        return sum;
    }
}
