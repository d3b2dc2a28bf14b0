using System.Text;
using System.Text.Json.Nodes;
using k8s;
using ScaleControl.Testing.Kubernetes;
using ScaleControl.Testing.Timing;

namespace ScaleControl.Sandbox.Tests.Kubernetes;

/// <summary>What kubectl waits on: Deployment conditions, StatefulSet revisions and defaults, served Secrets and ConfigMaps.</summary>
public sealed class RolloutTests
{
    private const string Manifests = """
        apiVersion: apps/v1
        kind: Deployment
        metadata: {name: api, namespace: shop}
        spec:
          replicas: 2
          selector: {matchLabels: {app: api}}
          template:
            metadata: {labels: {app: api}}
            spec:
              containers: [{name: api, image: "api:1", resources: {requests: {cpu: 100m, memory: 64Mi}}}]
        ---
        apiVersion: apps/v1
        kind: StatefulSet
        metadata: {name: db, namespace: shop}
        spec:
          replicas: 2
          serviceName: db
          selector: {matchLabels: {app: db}}
          template:
            metadata: {labels: {app: db}}
            spec:
              containers: [{name: db, image: "db:1"}]
        ---
        apiVersion: v1
        kind: Secret
        metadata: {name: creds, namespace: shop}
        stringData: {password: s3cret}
        ---
        apiVersion: v1
        kind: ConfigMap
        metadata: {name: settings, namespace: shop}
        data: {mode: fast, level: "3"}
        """;

    [Fact]
    public async Task KubectlWaitAndRolloutStatus_ReturnOnceThePodsAreReady()
    {
        await using var sandbox = await SandboxHarness.StartAsync(o =>
        {
            o.PodStartupDelay = TimeSpan.FromMilliseconds(300);
            o.ControllerInterval = TimeSpan.FromMilliseconds(50);
        });
        using var kubectl = new Kubectl(sandbox.Server.BaseUri);
        await kubectl.RunAsync("create", "-f", kubectl.WriteFile("all.yaml", "apiVersion: v1\nkind: Namespace\nmetadata: {name: shop}\n---\n" + Manifests));

        var timeout = $"--timeout={Patience.Of(15).TotalSeconds:0}s";
        var wait = await kubectl.RunAsync("wait", "--for=condition=Available", "deployment/api", "-n", "shop", timeout);
        var deployRollout = await kubectl.RunAsync("rollout", "status", "deployment/api", "-n", "shop", timeout);
        var stsRollout = await kubectl.RunAsync("rollout", "status", "sts/db", "-n", "shop", timeout);
        var sts = JsonNode.Parse((await kubectl.RunAsync("get", "sts", "db", "-n", "shop", "-o", "json")).StdOut)!;

        Assert.Contains("deployment.apps/api condition met", wait.StdOut, StringComparison.Ordinal);
        Assert.Contains("successfully rolled out", deployRollout.StdOut, StringComparison.Ordinal);
        Assert.Contains("partitioned roll out complete: 2 new pods have been updated", stsRollout.StdOut, StringComparison.Ordinal);
        Assert.Equal(("RollingUpdate", 0, "OrderedReady"),
            ((string?)sts["spec"]!["updateStrategy"]!["type"], (int?)sts["spec"]!["updateStrategy"]!["rollingUpdate"]!["partition"], (string?)sts["spec"]!["podManagementPolicy"]));
        Assert.Equal((string?)sts["status"]!["updateRevision"], (string?)sts["status"]!["currentRevision"]);
    }

    [Fact]
    public async Task SecretsAndConfigMaps_Served_StringDataStoredAsBase64Data()
    {
        await using var sandbox = await SandboxHarness.StartAsync(fakeTime: true);
        using var kubectl = new Kubectl(sandbox.Server.BaseUri);
        await kubectl.RunAsync("apply", "-f", kubectl.WriteFile("all.yaml", "apiVersion: v1\nkind: Namespace\nmetadata: {name: shop}\n---\n" + Manifests));

        var secret = JsonNode.Parse((await kubectl.RunAsync("get", "secret", "creds", "-n", "shop", "-o", "json")).StdOut)!;
        var table = (await kubectl.RunAsync("get", "secrets,configmaps", "-n", "shop")).StdOut;

        Assert.Equal("s3cret", Encoding.UTF8.GetString(Convert.FromBase64String((string)secret["data"]!["password"]!)));
        Assert.Null(secret["stringData"]);
        Assert.Equal("Opaque", (string?)secret["type"]);
        Assert.Matches(@"secret/creds\s+Opaque\s+1\s", table);
        Assert.Matches(@"configmap/settings\s+2\s", table);
    }

    [Fact]
    public async Task TemplateChange_RollsDeploymentToANewReplicaSet_OnePodOverAtATime()
    {
        await using var sandbox = await SandboxHarness.StartAsync(o => o.PodStartupDelay = TimeSpan.FromSeconds(5), fakeTime: true);
        sandbox.Control.SeedDeployment("shop", "web", 2, readyReplicas: 2);
        sandbox.Control.ReconcileNow();
        using var kubectl = new Kubectl(sandbox.Server.BaseUri);

        // 2 replicas at the default 25%/25%: maxSurge 1 (rounded up), maxUnavailable 0 (rounded down).
        await kubectl.RunAsync("set", "image", "deployment/web", "web=sandbox/web:2", "-n", "shop");
        sandbox.Control.ReconcileNow();
        var during = Status(sandbox);
        sandbox.Time!.Advance(TimeSpan.FromSeconds(5));
        sandbox.Control.ReconcileNow(); // the new pod is ready (the scheduler runs after the controllers)
        sandbox.Control.ReconcileNow(); // an old one goes
        sandbox.Control.ReconcileNow(); // the second new pod
        var halfway = Status(sandbox);
        sandbox.Time!.Advance(TimeSpan.FromSeconds(5));
        sandbox.Control.ReconcileNow();
        sandbox.Control.ReconcileNow();
        var after = Status(sandbox);
        sandbox.Time.Advance(TimeSpan.FromSeconds(30)); // the old pods' grace period: they terminate until then
        sandbox.Control.ReconcileNow();
        var images = (await sandbox.Client.CoreV1.ListNamespacedPodAsync("shop")).Items.Select(p => p.Spec.Containers[0].Image).Distinct();

        Assert.Equal((3, 1, 2, "NewReplicaSetCreated"), during); // one new pod starting, the two old ones still serving
        Assert.Equal((3, 2, 2, "ReplicaSetUpdated"), halfway);
        Assert.Equal((2, 2, 2, "NewReplicaSetAvailable"), after);
        Assert.Equal(["sandbox/web:2"], images);
    }

    private static (int Replicas, int Updated, int Available, string? Progressing) Status(SandboxHarness sandbox)
    {
        var status = sandbox.Control.Get("apps/v1", "Deployment", "shop", "web")!["status"]!;
        var progressing = status["conditions"]!.AsArray().First(c => (string?)c!["type"] == "Progressing")!;
        return ((int)status["replicas"]!, (int)status["updatedReplicas"]!, (int)status["availableReplicas"]!, (string?)progressing["reason"]);
    }
}
