using System.Text.Json.Nodes;
using k8s;
using k8s.Models;
using Microsoft.Extensions.DependencyInjection;
using ScaleControl.Testing.Kubernetes;
using ScaleControl.Testing.Timing;

namespace ScaleControl.Sandbox.Tests.Kubernetes;

/// <summary>
/// Graceful pod deletion as kube-apiserver 1.32 (rest.BeforeDelete, the pod strategy's CheckGracefulDelete), the
/// kubelet and the controllers do it: a deleted pod is Terminating for its grace period on the sandbox's clock, then
/// gone; checked with real kubectl and the KubernetesClient on a fake clock.
/// </summary>
public sealed class GracefulTerminationTests
{
    // A Deployment of two ready pods whose container names its port, and a Service in front of them.
    private const string Web = """
        apiVersion: apps/v1
        kind: Deployment
        metadata: {name: web, namespace: shop}
        spec:
          replicas: 2
          selector: {matchLabels: {app: web}}
          template:
            metadata: {labels: {app: web}}
            spec:
              containers:
              - name: web
                image: sandbox/web:1
                ports: [{name: http, containerPort: 8080}]
        status: {replicas: 2, readyReplicas: 2, availableReplicas: 2}
        ---
        apiVersion: v1
        kind: Service
        metadata: {name: web, namespace: shop}
        spec:
          selector: {app: web}
          ports: [{name: http, port: 80, targetPort: http}]
        """;

    private static async Task<SandboxHarness> RunningWebAsync()
    {
        var sandbox = await SandboxHarness.StartAsync(fakeTime: true);
        sandbox.Control.Seed(Web);
        sandbox.Control.ReconcileNow();
        return sandbox;
    }

    private static List<string> PodNames(SandboxHarness sandbox) =>
        [.. sandbox.Control.List("v1", "Pod", "shop").Select(p => (string)p["metadata"]!["name"]!).Order(StringComparer.Ordinal)];

    private static void Pass(SandboxHarness sandbox, int seconds)
    {
        sandbox.Time!.Advance(TimeSpan.FromSeconds(seconds));
        sandbox.Control.ReconcileNow();
    }

    [Fact]
    public async Task KubectlDeleteNoWait_PodIsTerminatingForItsGracePeriod_ThenTheKubeletRemovesIt()
    {
        await using var sandbox = await RunningWebAsync();
        using var kubectl = new Kubectl(sandbox.Server.BaseUri);
        var pod = PodNames(sandbox)[0];

        var deleted = await kubectl.RunAsync("delete", "pod", pod, "-n", "shop", "--wait=false");
        var marked = await kubectl.RunAsync("get", "pod", pod, "-n", "shop", "-o", "jsonpath={.metadata.deletionTimestamp} {.metadata.deletionGracePeriodSeconds}");
        var row = (await kubectl.RunAsync("get", "pod", pod, "-n", "shop", "--no-headers")).StdOut;
        Pass(sandbox, 29);
        var before = PodNames(sandbox).Contains(pod);
        Pass(sandbox, 1);

        Assert.Equal($"pod \"{pod}\" deleted", deleted.StdOut.Trim());
        Assert.Equal("2026-05-01T12:00:30Z 30", marked.StdOut); // spec.terminationGracePeriodSeconds defaulted to 30
        Assert.Equal(["1/1", "Terminating"], row.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1..3]);
        Assert.True(before);
        Assert.DoesNotContain(pod, PodNames(sandbox));
    }

    [Fact]
    public async Task KubectlDelete_WaitsForTheGracePeriod_AndReturnsOnceThePodIsGone()
    {
        await using var sandbox = await RunningWebAsync();
        using var kubectl = new Kubectl(sandbox.Server.BaseUri);
        var pod = PodNames(sandbox)[0];

        using var deleting = kubectl.Start("delete", "pod", pod, "-n", "shop");
        var stdout = deleting.StandardOutput.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(Patience.Of(30));
        while (sandbox.Control.Get("v1", "Pod", "shop", pod)?["metadata"]?["deletionTimestamp"] is null || sandbox.Control.OpenWatches == 0)
        {
            await Task.Delay(20, timeout.Token); // the DELETE, then kubectl's watch for the pod to go
        }

        var exitedWhileTerminating = deleting.HasExited;
        Pass(sandbox, 30);
        await deleting.WaitForExitAsync(timeout.Token);

        Assert.False(exitedWhileTerminating);
        Assert.Equal(0, deleting.ExitCode);
        Assert.Equal($"pod \"{pod}\" deleted", (await stdout).Trim());
        Assert.DoesNotContain(pod, PodNames(sandbox));
    }

    [Fact]
    public async Task KubectlDeleteForceAndNow_ZeroGoesAtOnce_NowIsOneSecond()
    {
        await using var sandbox = await RunningWebAsync();
        using var kubectl = new Kubectl(sandbox.Server.BaseUri);
        var pods = PodNames(sandbox);

        var forced = await kubectl.RunAsync("delete", "pod", pods[0], "-n", "shop", "--grace-period=0", "--force");
        await kubectl.RunAsync("delete", "pod", pods[1], "-n", "shop", "--now", "--wait=false");
        var now = await kubectl.RunAsync("get", "pod", pods[1], "-n", "shop", "-o", "jsonpath={.metadata.deletionGracePeriodSeconds}");

        Assert.Contains("Immediate deletion does not wait for confirmation that the running resource has been terminated", forced.StdErr, StringComparison.Ordinal);
        Assert.Equal($"pod \"{pods[0]}\" force deleted", forced.StdOut.Trim());
        Assert.DoesNotContain(pods[0], PodNames(sandbox));
        Assert.Equal("1", now.StdOut);
    }

    [Fact]
    public async Task SecondDelete_MayOnlyShortenThePendingGracePeriod_ZeroEndsItAtOnce()
    {
        await using var sandbox = await RunningWebAsync();
        using var kubectl = new Kubectl(sandbox.Server.BaseUri);
        var pod = PodNames(sandbox)[0];
        string Marks() => $"{sandbox.Control.Get("v1", "Pod", "shop", pod)?["metadata"]?["deletionTimestamp"]} {sandbox.Control.Get("v1", "Pod", "shop", pod)?["metadata"]?["deletionGracePeriodSeconds"]}";

        await kubectl.RunAsync("delete", "pod", pod, "-n", "shop", "--grace-period=60", "--wait=false");
        var first = Marks();
        sandbox.Time!.Advance(TimeSpan.FromSeconds(10));
        await kubectl.RunAsync("delete", "pod", pod, "-n", "shop", "--grace-period=20", "--wait=false");
        var shortened = Marks();
        await kubectl.RunAsync("delete", "pod", pod, "-n", "shop", "--grace-period=90", "--wait=false");
        var longer = Marks();
        await kubectl.RunAsync("delete", "pod", pod, "-n", "shop", "--wait=false");
        var again = Marks();
        await kubectl.RunAsync("delete", "pod", pod, "-n", "shop", "--grace-period=0", "--force");

        Assert.Equal("2026-05-01T12:01:00Z 60", first);
        Assert.Equal("2026-05-01T12:00:20Z 20", shortened); // the deadline moves by the difference, from the first request
        Assert.Equal(shortened, longer);
        Assert.Equal(shortened, again);
        Assert.DoesNotContain(pod, PodNames(sandbox));
    }

    [Fact]
    public async Task Delete_PodNeverScheduledOrFinished_GoesAtOnce()
    {
        await using var sandbox = await SandboxHarness.StartAsync(fakeTime: true);
        using var kubectl = new Kubectl(sandbox.Server.BaseUri);
        await kubectl.RunAsync("run", "big", "-n", "shop", "--image=nginx:1.27", "--overrides",
            """{"apiVersion":"v1","spec":{"containers":[{"name":"big","image":"nginx:1.27","resources":{"requests":{"cpu":"100"}}}]}}""");
        await kubectl.RunAsync("run", "done", "-n", "shop", "--image=nginx:1.27");
        sandbox.Control.ReconcileNow();
        await kubectl.RunAsync("patch", "pod", "done", "-n", "shop", "--subresource=status", "--type=merge", "-p", """{"status":{"phase":"Succeeded"}}""");
        var nodes = (await kubectl.RunAsync("get", "pods", "-n", "shop", "-o", "jsonpath={range .items[*]}{.metadata.name}={.spec.nodeName};{end}")).StdOut;

        await kubectl.RunAsync("delete", "pod", "big", "done", "-n", "shop", "--wait=false");

        Assert.Matches("^big=;done=sandbox-node-.;$", nodes);
        Assert.Empty(PodNames(sandbox));
    }

    [Fact]
    public async Task ReplicaSet_DeletedPodIsNoReplica_ReplacementStartsWhileItTerminates()
    {
        await using var sandbox = await RunningWebAsync();
        using var kubectl = new Kubectl(sandbox.Server.BaseUri);
        var pod = PodNames(sandbox)[0];

        await kubectl.RunAsync("delete", "pod", pod, "-n", "shop", "--wait=false");
        sandbox.Control.ReconcileNow();
        var during = PodNames(sandbox);
        var rs = sandbox.Control.List("apps/v1", "ReplicaSet", "shop")[0]["status"]!;
        var deploy = (await kubectl.RunAsync("get", "deploy", "web", "-n", "shop", "-o", "jsonpath={.status.replicas} {.status.readyReplicas}")).StdOut;
        await kubectl.RunAsync("scale", "deploy", "web", "-n", "shop", "--replicas=1");
        sandbox.Control.ReconcileNow();
        var terminating = sandbox.Control.List("v1", "Pod", "shop").Count(p => p["metadata"]!["deletionTimestamp"] is not null);
        Pass(sandbox, 30);

        Assert.Equal(3, during.Count);
        Assert.Contains(pod, during);
        Assert.Equal((2, 1), ((int)rs["replicas"]!, (int)rs["readyReplicas"]!)); // the replacement counts, not ready yet
        Assert.Equal("2 1", deploy);
        Assert.Equal(2, terminating); // the scale-down took the replacement, still starting
        Assert.Single(PodNames(sandbox));
    }

    [Fact]
    public async Task StatefulSet_RecreatesADeletedOrdinalOnlyOnceItIsGone_AndCountsItMeanwhileAsUpstream()
    {
        await using var sandbox = await SandboxHarness.StartAsync(fakeTime: true);
        sandbox.Control.SeedStatefulSet("shop", "db", 2, readyReplicas: 2);
        sandbox.Control.ReconcileNow();
        using var kubectl = new Kubectl(sandbox.Server.BaseUri);
        var cluster = sandbox.Server.Services.GetRequiredService<ISandboxCluster>();
        var uid = (string)sandbox.Control.Get("v1", "Pod", "shop", "db-1")!["metadata"]!["uid"]!;

        await kubectl.RunAsync("delete", "pod", "db-1", "-n", "shop", "--wait=false");
        sandbox.Control.ReconcileNow();
        var status = (await kubectl.RunAsync("get", "sts", "db", "-n", "shop", "-o",
            "jsonpath={.status.replicas} {.status.readyReplicas} {.status.currentReplicas} {.status.updatedReplicas}")).StdOut;
        var serving = cluster.GetReadyReplicas("shop", "db");
        Pass(sandbox, 29);
        var stillOld = (string?)sandbox.Control.Get("v1", "Pod", "shop", "db-1")?["metadata"]?["uid"];
        Pass(sandbox, 1);
        var recreated = sandbox.Control.Get("v1", "Pod", "shop", "db-1");

        Assert.Equal("2 2 1 1", status); // computeReplicaStatus: the terminating pod is created and ready, neither current nor updated
        Assert.Equal(1, serving); // the traffic simulator's capacity: it serves no more
        Assert.Equal(uid, stillOld);
        Assert.NotNull(recreated);
        Assert.NotEqual(uid, (string)recreated["metadata"]!["uid"]!);
        Assert.Null(recreated["metadata"]!["deletionTimestamp"]);
    }

    [Fact]
    public async Task Endpoints_TerminatingPodLeavesAddresses_SliceShowsItServingAndTerminating_ThenGone()
    {
        await using var sandbox = await RunningWebAsync();
        using var kubectl = new Kubectl(sandbox.Server.BaseUri);
        Pass(sandbox, 5);
        var pod = sandbox.Control.List("v1", "Pod", "shop")[0];
        var name = (string)pod["metadata"]!["name"]!;
        var ip = (string)pod["status"]!["podIP"]!;

        await kubectl.RunAsync("delete", "pod", name, "-n", "shop", "--wait=false");
        sandbox.Control.ReconcileNow();
        var addresses = (await kubectl.RunAsync("get", "endpoints", "web", "-n", "shop", "-o", "jsonpath={.subsets[*].addresses[*].ip}")).StdOut;
        var slices = sandbox.Control.List("discovery.k8s.io/v1", "EndpointSlice", "shop");
        var endpoint = slices.SelectMany(s => s["endpoints"]?.AsArray() ?? []).Single(e => (string?)e!["addresses"]![0] == ip)!;
        Pass(sandbox, 30);
        var after = sandbox.Control.List("discovery.k8s.io/v1", "EndpointSlice", "shop").SelectMany(s => s["endpoints"]?.AsArray() ?? []);

        Assert.DoesNotContain(ip, addresses.Split(' '));
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse("""{"ready":false,"serving":true,"terminating":true}"""), endpoint["conditions"]));
        Assert.DoesNotContain(after, e => (string?)e!["addresses"]![0] == ip);
    }

    [Fact]
    public async Task KubectlGetWatch_ShowsRunningTerminatingTheKilledContainerThenTheDeletion()
    {
        await using var sandbox = await RunningWebAsync();
        using var kubectl = new Kubectl(sandbox.Server.BaseUri);
        var pod = PodNames(sandbox)[0];
        using var process = kubectl.Start("get", "pod", pod, "-n", "shop", "-w", "--output-watch-events", "--no-headers");
        try
        {
            using var timeout = new CancellationTokenSource(Patience.Of(30));
            var lines = new List<string> { (await process.StandardOutput.ReadLineAsync(timeout.Token))! };
            while (sandbox.Control.OpenWatches == 0)
            {
                await Task.Delay(20, timeout.Token);
            }

            await kubectl.RunAsync("delete", "pod", pod, "-n", "shop", "--wait=false");
            lines.Add((await process.StandardOutput.ReadLineAsync(timeout.Token))!);
            Pass(sandbox, 30);
            while (lines.Count < 5)
            {
                lines.Add((await process.StandardOutput.ReadLineAsync(timeout.Token))!);
            }

            var columns = lines.Select(l => string.Join(' ', l.Split(' ', StringSplitOptions.RemoveEmptyEntries).Take(4))).ToList();
            Assert.Equal(
                [$"ADDED {pod} 1/1 Running", $"MODIFIED {pod} 1/1 Terminating", $"MODIFIED {pod} 0/1 Error", $"MODIFIED {pod} 0/1 Error", $"DELETED {pod} 0/1 Error"],
                columns);
        }
        finally
        {
            process.Kill(entireProcessTree: true);
        }
    }

    [Fact]
    public async Task Client_DeleteNamespacedPod_ReturnsThePodMarked_GracePeriodFromBodyOrQuery()
    {
        await using var sandbox = await RunningWebAsync();
        var pods = PodNames(sandbox);

        var marked = await sandbox.Client.CoreV1.DeleteNamespacedPodAsync(pods[0], "shop", new V1DeleteOptions { GracePeriodSeconds = 5 });
        await sandbox.Client.CoreV1.DeleteNamespacedPodAsync(pods[1], "shop", gracePeriodSeconds: 0);
        var left = await sandbox.Client.CoreV1.ListNamespacedPodAsync("shop");
        var bad = await sandbox.SendAsync(HttpMethod.Delete, $"api/v1/namespaces/shop/pods/{pods[0]}?gracePeriodSeconds=soon");
        Pass(sandbox, 5);

        Assert.Equal((5L, new DateTime(2026, 5, 1, 12, 0, 5, DateTimeKind.Utc)), (marked.Metadata.DeletionGracePeriodSeconds, marked.Metadata.DeletionTimestamp!.Value.ToUniversalTime()));
        Assert.DoesNotContain(left.Items, p => p.Metadata.Name == pods[1]);
        Assert.Contains(left.Items, p => p.Metadata.Name == pods[0]);
        Assert.Equal(400, bad.Status);
        Assert.DoesNotContain(pods[0], PodNames(sandbox));
    }

    [Fact]
    public async Task Client_FinalizerOutlivesTheGracePeriod_PodStaysStoppedUntilItGoes()
    {
        await using var sandbox = await RunningWebAsync();
        var name = PodNames(sandbox)[0];
        await sandbox.Client.CoreV1.PatchNamespacedPodAsync(new V1Patch("""{"metadata":{"finalizers":["example.com/hold"]}}""", V1Patch.PatchType.MergePatch), name, "shop");

        await sandbox.Client.CoreV1.DeleteNamespacedPodAsync(name, "shop");
        await sandbox.Client.CoreV1.PatchNamespacedPodAsync(new V1Patch("""{"metadata":{"labels":{"seen":"yes"}}}""", V1Patch.PatchType.MergePatch), name, "shop");
        var during = await sandbox.Client.CoreV1.ReadNamespacedPodAsync(name, "shop");
        Pass(sandbox, 30);
        var stopped = await sandbox.Client.CoreV1.ReadNamespacedPodAsync(name, "shop");
        await sandbox.Client.CoreV1.PatchNamespacedPodAsync(new V1Patch("""{"metadata":{"finalizers":null}}""", V1Patch.PatchType.MergePatch), name, "shop");

        Assert.Equal((30L, "Running"), (during.Metadata.DeletionGracePeriodSeconds, during.Status.Phase));
        Assert.Equal((0L, "Failed"), (stopped.Metadata.DeletionGracePeriodSeconds, stopped.Status.Phase));
        Assert.Equal((137, "Error"), (stopped.Status.ContainerStatuses[0].State.Terminated.ExitCode, stopped.Status.ContainerStatuses[0].State.Terminated.Reason));
        Assert.Contains(stopped.Status.Conditions, c => c is { Type: "Ready", Status: "False", Reason: "PodFailed" });
        Assert.DoesNotContain(name, PodNames(sandbox));
    }
}
