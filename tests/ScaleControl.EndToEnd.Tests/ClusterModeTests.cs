using System.Net;
using ScaleControl.EndToEnd.Tests.Infrastructure;
using ScaleControl.Testing.Server;

namespace ScaleControl.EndToEnd.Tests;

/// <summary>
/// The same binary in cluster mode: a kubeconfig (here: another server's sandbox cluster), a Prometheus URL and
/// DingTalk switched off. It runs no sandbox of its own, takes only real tokens, fails static when Prometheus is
/// unreachable, and still acts on the cluster when an operator pins a workload. It runs as the cluster's admin on
/// purpose (the minimal cluster-mode set-up with DingTalk off); the chart's ServiceAccount is ProductOnCluster's default.
/// </summary>
public sealed class ClusterModeTests
{
    private const string AdminToken = "cluster-admin-token";

    [Fact]
    public async Task ClusterMode_WithKubeconfigAndDingTalkDisabled_ServesTheClusterAndActsOnIt()
    {
        // The cluster's own control loop stays idle (its Auto policy for the transcoder would race the pin under load).
        await using var cluster = await SandboxServer.StartAsync(Fast.Settings(("ScaleControl__Loop__StartupDelaySeconds", "600")));
        await using var server = await SandboxServer.StartAsync(Fast.Settings(
            ("ScaleControl__Mode", "Cluster"),
            ("ScaleControl__Kubernetes__KubeconfigPath", cluster.Kubeconfig),
            ("ScaleControl__Prometheus__Url", "http://127.0.0.1:9"),
            ("ScaleControl__DingTalk__Enabled", "false"),
            ("ScaleControl__Approvals__SigningKey", "cluster-mode-test-signing-key-0123456789"),
            ("SCALECONTROL_ADMIN_TOKEN", AdminToken),
            ("ScaleControl__Identity", "replica-a")));

        var status = await server.GetJson("/api/v1/status", AdminToken);
        Assert.Equal("cluster", status.GetProperty("mode").GetString(), ignoreCase: true);
        Assert.Equal("replica-a", status.GetProperty("identity").GetString());
        var policies = await server.GetJson("/api/v1/policies", AdminToken);
        Assert.Contains(policies.EnumerateArray(), p => p.GetProperty("metadata").GetProperty("name").GetString() == "checkout-api");

        // No sandbox here: the demo tokens mean nothing and the sandbox routes do not exist.
        using (var demo = server.Client("sandbox-admin"))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, (await demo.GetAsync("/api/v1/policies")).StatusCode);
        }

        Assert.Equal(HttpStatusCode.NotFound, (await server.Http.GetAsync("/sandbox/dingtalk/info")).StatusCode);

        // Prometheus is unreachable: the metrics are reported unavailable and nothing scales down (fail static).
        await server.Eventually(async () =>
        {
            var s = await server.GetJson("/api/v1/status", AdminToken);
            return s.GetProperty("policies").EnumerateArray()
                .Any(p => p.GetProperty("metrics").EnumerateArray().Any(m => m.GetProperty("status").GetString() == "Unavailable"));
        }, "the policies report their metrics unavailable");

        // The transcoder's policy names no approvers, so an operator's (here the admin's) pin applies at once.
        await server.PostJson("/api/v1/workloads/video/video-transcoder/pin", new { replicas = 7, durationSeconds = 600, reason = "cluster-mode test" }, AdminToken);
        await server.Eventually(async () => await cluster.Kubectl.ReplicasAsync("statefulset", "video", "video-transcoder") == 7, "the pin reaches the cluster");
    }
}
