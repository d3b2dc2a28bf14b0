using Prometheus;
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
        host.Metrics.Replicas("shop", "checkout-api", desired: 12, current: 8);
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

    private static async Task<string> Exposition(CollectorRegistry registry)
    {
        using var stream = new MemoryStream();
        await registry.CollectAndExportAsTextAsync(stream);
        return System.Text.Encoding.UTF8.GetString(stream.ToArray());
    }
}
