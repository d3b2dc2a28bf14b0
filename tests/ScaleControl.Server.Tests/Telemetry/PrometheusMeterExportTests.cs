using Prometheus;
using ScaleControl.Core.Decisions;
using ScaleControl.Core.Policies;
using ScaleControl.Server.Telemetry;
using ScaleControl.Server.Tests.Infrastructure;

namespace ScaleControl.Server.Tests.Telemetry;

/// <summary>The product's meter as <c>/metrics</c> shows it: the names, types, labels and buckets dashboards and alerts use.</summary>
public sealed class PrometheusMeterExportTests
{
    [Fact]
    public async Task Export_CountersGaugesHistograms_KeepTheirPrometheusNamesTypesAndLabels()
    {
        using var host = new TestMetrics();
        var registry = Metrics.NewCustomRegistry();
        using var export = new PrometheusMeterExport(host.Metrics, registry);

        host.Metrics.ProposalPruned("max_age");
        host.Metrics.ProposalPruned("max_age");
        host.Metrics.SeriesFor("shop", "checkout-api").Evaluated(ScaleMode.Auto, DecisionOutcome.ApplyNow, desired: 12, current: 8);
        host.Metrics.IsLeader.Record(1);
        host.Metrics.AppliedAfter("dingtalk", 0.007);

        var text = await Exposition(registry);

        Assert.Contains("# TYPE scalecontrol_proposals_pruned_total counter", text, StringComparison.Ordinal);
        Assert.Contains("scalecontrol_proposals_pruned_total{reason=\"max_age\"} 2", text, StringComparison.Ordinal);
        Assert.Contains("# TYPE scalecontrol_policy_desired_replicas gauge", text, StringComparison.Ordinal);
        Assert.Contains("scalecontrol_policy_desired_replicas{namespace=\"shop\",policy=\"checkout-api\"} 12", text, StringComparison.Ordinal);
        Assert.Contains("scalecontrol_policy_current_replicas{namespace=\"shop\",policy=\"checkout-api\"} 8", text, StringComparison.Ordinal);
        Assert.Contains("scalecontrol_leader 1", text, StringComparison.Ordinal);
        Assert.Contains("# TYPE scalecontrol_decision_to_applied_seconds histogram", text, StringComparison.Ordinal);
        Assert.Contains("scalecontrol_decision_to_applied_seconds_bucket{channel=\"dingtalk\",le=\"0.005\"} 0", text, StringComparison.Ordinal);
        Assert.Contains("scalecontrol_decision_to_applied_seconds_bucket{channel=\"dingtalk\",le=\"0.01\"} 1", text, StringComparison.Ordinal);
        Assert.Contains("# HELP scalecontrol_open_proposals Proposals waiting for a decision (Pending or Approved).", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Export_ObservedDecisions_CountedUnderTheirMode()
    {
        using var host = new TestMetrics();
        var registry = Metrics.NewCustomRegistry();
        using var export = new PrometheusMeterExport(host.Metrics, registry);

        host.Metrics.SeriesFor("shop", "search-api").Evaluated(ScaleMode.Observe, DecisionOutcome.ApplyNow, desired: 9, current: 4);
        host.Metrics.SeriesFor("shop", "checkout-api").Evaluated(ScaleMode.Auto, DecisionOutcome.ApplyNow, desired: 6, current: 4);
        var text = await Exposition(registry);

        Assert.Contains("scalecontrol_decisions_total{outcome=\"ApplyNow\",mode=\"Observe\"} 1", text, StringComparison.Ordinal);
        Assert.Contains("scalecontrol_decisions_total{outcome=\"ApplyNow\",mode=\"Auto\"} 1", text, StringComparison.Ordinal);
        Assert.Contains("scalecontrol_policy_desired_replicas{namespace=\"shop\",policy=\"search-api\"} 9", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Export_PolicySeries_ReadAtScrapeAsCountersAndGauges()
    {
        using var host = new TestMetrics();
        var registry = Metrics.NewCustomRegistry();
        using var export = new PrometheusMeterExport(host.Metrics, registry);
        var series = host.Metrics.SeriesFor("shop", "checkout-api");

        series.Evaluated(ScaleMode.Auto, DecisionOutcome.None, desired: 4, current: 4);
        series.Metric("qps", 410.5);
        var first = await Exposition(registry);
        series.Evaluated(ScaleMode.Auto, DecisionOutcome.ApplyNow, desired: 6, current: 4);
        series.Evaluated(ScaleMode.Auto, DecisionOutcome.None, desired: 6, current: 6);
        series.Metric("qps", 612);
        var second = await Exposition(registry);

        Assert.Contains("scalecontrol_evaluations_total{namespace=\"shop\",policy=\"checkout-api\"} 1", first, StringComparison.Ordinal);
        Assert.DoesNotContain("outcome=\"ApplyNow\"", first, StringComparison.Ordinal);
        Assert.Contains("scalecontrol_policy_metric_value{namespace=\"shop\",policy=\"checkout-api\",metric=\"qps\"} 410.5", first, StringComparison.Ordinal);
        Assert.Contains("# TYPE scalecontrol_evaluations_total counter", second, StringComparison.Ordinal);
        Assert.Contains("scalecontrol_evaluations_total{namespace=\"shop\",policy=\"checkout-api\"} 3", second, StringComparison.Ordinal);
        Assert.Contains("scalecontrol_decisions_total{outcome=\"None\",mode=\"Auto\"} 2", second, StringComparison.Ordinal);
        Assert.Contains("scalecontrol_decisions_total{outcome=\"ApplyNow\",mode=\"Auto\"} 1", second, StringComparison.Ordinal);
        Assert.Contains("scalecontrol_policy_desired_replicas{namespace=\"shop\",policy=\"checkout-api\"} 6", second, StringComparison.Ordinal);
        Assert.Contains("scalecontrol_policy_current_replicas{namespace=\"shop\",policy=\"checkout-api\"} 6", second, StringComparison.Ordinal);
        Assert.Contains("scalecontrol_policy_metric_value{namespace=\"shop\",policy=\"checkout-api\",metric=\"qps\"} 612", second, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Export_AnotherHostsMeter_IsNotCounted()
    {
        using var mine = new TestMetrics();
        using var other = new TestMetrics();
        var registry = Metrics.NewCustomRegistry();
        using var export = new PrometheusMeterExport(mine.Metrics, registry);

        other.Metrics.KubernetesCall("get", "Ok");
        mine.Metrics.KubernetesCall("scale", "Applied");

        var text = await Exposition(registry);

        Assert.Contains("scalecontrol_kubernetes_calls_total{operation=\"scale\",result=\"Applied\"} 1", text, StringComparison.Ordinal);
        Assert.DoesNotContain("operation=\"get\"", text, StringComparison.Ordinal);
        Assert.Equal(1, other.Sum(other.Metrics.KubernetesCalls, "get", "Ok")); // the other host still has its own count
    }

    /// <summary>
    /// A policy forgotten and evaluated again before the next scrape is a new series under the same labels: its total
    /// starts again, which the exported counter shows as a reset instead of holding the old total until it is passed.
    /// </summary>
    [Fact]
    public async Task Export_PolicySeriesForgottenAndStartedAgainBetweenScrapes_CounterResets_OthersKept()
    {
        using var host = new TestMetrics();
        var registry = Metrics.NewCustomRegistry();
        using var export = new PrometheusMeterExport(host.Metrics, registry);
        host.Metrics.SeriesFor("shop", "search").Evaluated(ScaleMode.Auto, DecisionOutcome.None, desired: 3, current: 3);
        for (var i = 0; i < 5; i++)
        {
            host.Metrics.SeriesFor("shop", "checkout-api").Evaluated(ScaleMode.Auto, DecisionOutcome.None, desired: 4, current: 4);
        }

        var before = await Exposition(registry);
        host.Metrics.Forget("shop", "checkout-api");
        host.Metrics.SeriesFor("shop", "checkout-api").Evaluated(ScaleMode.Auto, DecisionOutcome.None, desired: 2, current: 4);
        var after = await Exposition(registry);

        Assert.Contains("scalecontrol_evaluations_total{namespace=\"shop\",policy=\"checkout-api\"} 5", before, StringComparison.Ordinal);
        Assert.Contains("scalecontrol_evaluations_total{namespace=\"shop\",policy=\"checkout-api\"} 1", after, StringComparison.Ordinal);
        Assert.Contains("scalecontrol_policy_desired_replicas{namespace=\"shop\",policy=\"checkout-api\"} 2", after, StringComparison.Ordinal);
        Assert.Contains("scalecontrol_evaluations_total{namespace=\"shop\",policy=\"search\"} 1", after, StringComparison.Ordinal);
    }

    private static async Task<string> Exposition(CollectorRegistry registry)
    {
        using var stream = new MemoryStream();
        await registry.CollectAndExportAsTextAsync(stream);
        return System.Text.Encoding.UTF8.GetString(stream.ToArray());
    }
}
