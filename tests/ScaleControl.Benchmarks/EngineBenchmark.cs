using BenchmarkDotNet.Attributes;
using ScaleControl.Core.Decisions;
using ScaleControl.Core.Policies;
using ScaleControl.Core.Ports;
using ScaleControl.Core.Signals;

namespace ScaleControl.Benchmarks;

/// <summary>
/// The engine alone (<see cref="LoopEvaluationBenchmark"/> adds the loop's bookkeeping around it): 10,000 policy
/// evaluations per invocation: 100 policies (one metric, prediction on, HPA-default behaviour),
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

    /// <summary>When the benchmark fleet's history ends.</summary>
    internal static readonly DateTimeOffset Start = new(2026, 11, 25, 10, 0, 0, TimeSpan.Zero);

    [GlobalSetup]
    public void Setup()
    {
        _inputs = new DecisionInput[Policies];
        for (var i = 0; i < Policies; i++)
        {
            var policy = Policy(i);
            var history = new PolicyHistory();
            Prefill(history, i);
            var query = policy.Spec.Metrics[0].Query;
            var readings = new Dictionary<string, MetricReading> { [query] = MetricReading.Ok(query, Level(i), Start.AddSeconds(-8)) };
            _inputs[i] = new DecisionInput(policy, readings, Workload(i), history, Start);
        }
    }

    /// <summary>Policy <paramref name="i"/> of the fleet: one metric, prediction on, HPA-default behaviour.</summary>
    internal static ScalePolicy Policy(int i) => new()
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

    internal static WorkloadState Workload(int i) =>
        new(new WorkloadRef("bench", "Deployment", $"svc-{i}"), 20, 20, "1", null, TimeSpan.FromSeconds(45), null);

    /// <summary>Even policies rise (prediction and step limits at work), odd ones are flat (tolerance band).</summary>
    internal static double Level(int i) => i % 2 == 0 ? 20_000.0 : 10_050.0;

    /// <summary>Two minutes of 5 s samples, five minutes of recommendations and one change, ending at <see cref="Start"/>.</summary>
    internal static void Prefill(PolicyHistory history, int i)
    {
        var rising = i % 2 == 0;
        for (var s = 120; s > 0; s -= 5)
        {
            var value = rising ? 10_000 + ((120 - s) * 80) : 10_000 + ((s % 3) * 100);
            history.AddSample("qps", new MetricPoint(Start.AddSeconds(-s), value));
        }

        for (var s = 300; s > 0; s -= 5)
        {
            history.AddRecommendation(Start.AddSeconds(-s), 20);
        }

        history.AddChange(new ScaleChange(Start.AddSeconds(-400), 10, 20));
    }

    /// <summary>The engine alone: 10,000 <see cref="DecisionEngine.Decide"/> calls (allocated ÷ 10,000 = bytes per call).</summary>
    [Benchmark(Description = "10,000 Decide")]
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
