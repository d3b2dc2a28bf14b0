using ScaleControl.Core.Decisions;
using ScaleControl.Core.Policies;
using ScaleControl.Core.Signals;

namespace ScaleControl.Core.Tests.Decisions;

/// <summary>The engine runs for every policy every few seconds: what one decision costs, and that its lazily made text stays true.</summary>
public class DecisionHotPathTests
{
    private const string Cpu = "avg(rate(container_cpu_usage_seconds_total[1m]))";

    [Fact]
    public void Decide_SingleMetricRisingTrend_AllocatesAtMost128BytesPerCall()
    {
        var rig = new EngineRig(TestPolicies.Auto(max: 500)) { Spec = 20, Ready = 20 };
        for (var i = 0; i < 30; i++)
        {
            rig.Advance(5);
            rig.Decide(10_000 + (i * 150)); // a rising trend: prediction, stabilization and step limits all run
        }

        rig.Advance(5);
        var query = rig.Policy.Spec.Metrics[0].Query;
        var input = rig.Input(new Dictionary<string, MetricReading> { [query] = MetricReading.Ok(query, 15_000, rig.Now) });
        var engine = new DecisionEngine();
        var first = engine.Decide(input); // warms the per-thread buffer
        Assert.Equal(DecisionOutcome.ApplyNow, first.Outcome);

        const int Calls = 1_000;
        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < Calls; i++)
        {
            engine.Decide(input);
        }

        var perCall = (GC.GetAllocatedBytesForCurrentThread() - before) / (double)Calls;
        Assert.True(perCall <= 128, $"Decide allocated {perCall:0.#} B per call (goal: at most 128 B)");
    }

    [Fact]
    public void Reason_ReadAfterLaterDecisions_StillDescribesItsOwnReadings()
    {
        var policy = TestPolicies.WithSpec(TestPolicies.Auto(), s => s with
        {
            Metrics = [s.Metrics[0], new MetricSpec { Name = "cpu", Query = Cpu, TargetType = MetricTargetType.Average, Target = 0.5 }],
        });
        var rig = new EngineRig(policy) { Spec = 10, Ready = 10 };

        var early = rig.Decide(12_000, 0.9);
        rig.Advance(5);
        rig.Decide(3_000, 0.1); // reuses the engine's buffers

        Assert.StartsWith("qps 12k", early.Reason, StringComparison.Ordinal);
        Assert.Contains("cpu 0.9", early.Reason, StringComparison.Ordinal);
        Assert.Equal([12_000, 0.9], early.Evidence.Metrics.Select(m => m.Value!.Value));
        Assert.Equal([("qps", 12_000.0), ("cpu", 0.9)], Enumerable.Range(0, early.MetricCount).Select(i => (early.MetricAt(i).Name, early.MetricAt(i).Value!.Value)));
    }

    [Fact]
    public void Reason_SetExplicitly_WinsOverTheEnginesLine()
    {
        var rig = new EngineRig(TestPolicies.Auto());
        var decision = rig.Decide(5_000);

        var annotated = decision with { Reason = decision.Reason + "; held for review" };

        Assert.EndsWith("; held for review", annotated.Reason, StringComparison.Ordinal);
        Assert.StartsWith("qps 5k", annotated.Reason, StringComparison.Ordinal);
        Assert.Equal(decision.Evidence.Metrics[0].Value, annotated.Evidence.Metrics[0].Value);
    }
}
