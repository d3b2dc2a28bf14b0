using ScaleControl.Testing.Kubernetes;

namespace ScaleControl.Sandbox.Tests.Kubernetes;

/// <summary>
/// autoscaling/v1 as kubectl uses it (<c>kubectl autoscale</c> sends a v1 HPA in protobuf), one storage with v2, the
/// HPA table's TARGETS column and the events.k8s.io/v1 table.
/// </summary>
public sealed class AutoscalingV1Tests
{
    [Fact]
    public async Task KubectlAutoscale_CreatesAV1Hpa_SeenInV2_WithTargetsColumn()
    {
        await using var sandbox = await SandboxHarness.StartAsync(fakeTime: true);
        using var kubectl = new Kubectl(sandbox.Server.BaseUri);
        sandbox.Control.SeedDeployment("shop", "web", 2);

        await kubectl.RunAsync("autoscale", "deploy/web", "-n", "shop", "--min=2", "--max=5", "--cpu-percent=80");
        sandbox.Control.ReconcileNow();
        var v1 = await kubectl.RunAsync("get", "horizontalpodautoscalers.v1.autoscaling", "web", "-n", "shop", "-o",
            "jsonpath={.apiVersion} {.spec.minReplicas} {.spec.maxReplicas} {.spec.targetCPUUtilizationPercentage}");
        var v2 = await kubectl.RunAsync("get", "horizontalpodautoscalers.v2.autoscaling", "web", "-n", "shop", "-o",
            "jsonpath={.apiVersion} {.spec.metrics[0].resource.name} {.spec.metrics[0].resource.target.type} {.spec.metrics[0].resource.target.averageUtilization}");
        var table = await kubectl.RunAsync("get", "hpa", "-n", "shop", "--no-headers");
        var header = await kubectl.RunAsync("get", "hpa", "-n", "shop");
        var created = sandbox.Control.Journal.Single(e => e is { Verb: "create", Resource: "horizontalpodautoscalers" });

        Assert.Equal(("autoscaling", "application/vnd.kubernetes.protobuf"), (created.ApiGroup, created.ContentType));
        Assert.Equal("autoscaling/v1 2 5 80", v1.StdOut);
        Assert.Equal("autoscaling/v2 cpu Utilization 80", v2.StdOut);
        Assert.Matches(@"^NAME\s+REFERENCE\s+TARGETS\s+MINPODS\s+MAXPODS\s+REPLICAS\s+AGE", header.StdOut);
        Assert.Matches(@"^web\s+Deployment/web\s+cpu: <unknown>/80%\s+2\s+5\s+\d+\s+", table.StdOut);
    }

    [Fact]
    public async Task HpaWithoutMetrics_ShowsNone_AndV2MetricsBeyondTwoAreSummed()
    {
        await using var sandbox = await SandboxHarness.StartAsync(fakeTime: true);
        using var kubectl = new Kubectl(sandbox.Server.BaseUri);
        sandbox.Control.SeedDeployment("shop", "web", 2);
        sandbox.Control.SeedDeployment("shop", "api", 2);
        sandbox.Control.SeedHorizontalPodAutoscaler("shop", "web", "web", 2, 4);
        await kubectl.RunAsync("apply", "-f", kubectl.WriteFile("hpa.yaml", """
            apiVersion: autoscaling/v2
            kind: HorizontalPodAutoscaler
            metadata: {name: api, namespace: shop}
            spec:
              scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: api}
              minReplicas: 2
              maxReplicas: 9
              metrics:
                - type: Resource
                  resource: {name: memory, target: {type: AverageValue, averageValue: 500Mi}}
                - type: Pods
                  pods: {metric: {name: qps}, target: {type: AverageValue, averageValue: "100"}}
                - type: Resource
                  resource: {name: cpu, target: {type: Utilization, averageUtilization: 60}}
            """));

        var table = await kubectl.RunAsync("get", "hpa", "-n", "shop", "--no-headers", "-o", "custom-columns=NAME:.metadata.name");
        var rows = (await kubectl.RunAsync("get", "hpa", "-n", "shop", "--no-headers")).StdOut.Split('\n', StringSplitOptions.RemoveEmptyEntries);

        Assert.Equal("api\nweb", table.StdOut.Trim());
        Assert.Matches(@"^api\s+Deployment/api\s+memory: <unknown>/500Mi, <unknown>/100 \+ 1 more\.\.\.\s+2\s+9\s+", rows[0]);
        Assert.Matches(@"^web\s+Deployment/web\s+<none>\s+2\s+4\s+", rows[1]);
    }

    [Fact]
    public async Task EventsV1Table_ShowsRegardingAndNote()
    {
        await using var sandbox = await SandboxHarness.StartAsync(fakeTime: true);
        using var kubectl = new Kubectl(sandbox.Server.BaseUri);
        sandbox.Control.SeedDeployment("shop", "web", 2);
        await kubectl.RunAsync("apply", "-f", kubectl.WriteFile("event.yaml", """
            apiVersion: events.k8s.io/v1
            kind: Event
            metadata: {name: web.1, namespace: shop}
            eventTime: "2026-05-01T11:59:00.000000Z"
            reportingController: scalecontrol.io/controller
            reportingInstance: replica-a
            action: Scale
            reason: ScaledByScaleControl
            type: Normal
            note: scaled 2 to 4
            regarding: {apiVersion: apps/v1, kind: Deployment, name: web, namespace: shop}
            """));

        var table = await kubectl.RunAsync("get", "events.v1.events.k8s.io", "-n", "shop", "--no-headers");

        Assert.Matches(@"^\S+\s+Normal\s+ScaledByScaleControl\s+deployment/web\s+scaled 2 to 4\s*$", table.StdOut.Trim());
    }
}
