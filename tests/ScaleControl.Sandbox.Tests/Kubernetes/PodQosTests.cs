using ScaleControl.Testing.Kubernetes;

namespace ScaleControl.Sandbox.Tests.Kubernetes;

/// <summary>
/// <c>status.qosClass</c> as the apiserver's ComputePodQOS sets it when a pod is created, for pods made with kubectl
/// and by a Deployment's ReplicaSet: what <c>kubectl describe pod</c> shows as "QoS Class" (and what decides which
/// pods a kubelet under memory pressure evicts first).
/// </summary>
public sealed class PodQosTests
{
    private const string Pods = """
        apiVersion: v1
        kind: List
        items:
        - apiVersion: v1
          kind: Pod
          metadata: {name: limited, namespace: shop}
          spec:
            containers:
            - {name: a, image: nginx, resources: {limits: {cpu: 500m, memory: 256Mi}}}
            - {name: b, image: nginx, resources: {requests: {cpu: "1", memory: 1Gi}, limits: {cpu: 1000m, memory: 1024Mi}}}
        - apiVersion: v1
          kind: Pod
          metadata: {name: requested, namespace: shop}
          spec:
            containers:
            - {name: a, image: nginx, resources: {requests: {cpu: 100m}}}
        - apiVersion: v1
          kind: Pod
          metadata: {name: cpu-only, namespace: shop}
          spec:
            containers:
            - {name: a, image: nginx, resources: {limits: {cpu: 100m}}}
        - apiVersion: v1
          kind: Pod
          metadata: {name: zero, namespace: shop}
          spec:
            containers:
            - {name: a, image: nginx, resources: {requests: {cpu: "0", memory: "0"}}}
        """;

    [Fact]
    public async Task CreatedPods_GetTheQosClassTheirResourcesGive()
    {
        await using var sandbox = await SandboxHarness.StartAsync(fakeTime: true);
        using var kubectl = new Kubectl(sandbox.Server.BaseUri);
        await kubectl.RunAsync("create", "namespace", "shop");
        await kubectl.RunAsync("apply", "-f", kubectl.WriteFile("pods.yaml", Pods));
        await kubectl.RunAsync("run", "plain", "-n", "shop", "--image=nginx");
        await kubectl.RunAsync("create", "deployment", "web", "-n", "shop", "--image=nginx", "--replicas=0");
        await kubectl.RunAsync("set", "resources", "deploy/web", "-n", "shop", "--limits=cpu=200m,memory=128Mi");
        await kubectl.RunAsync("scale", "deploy/web", "-n", "shop", "--replicas=2");
        sandbox.Control.ReconcileNow();
        sandbox.Control.ReconcileNow();

        var classes = (await kubectl.RunAsync("get", "pods", "-n", "shop", "--sort-by=.metadata.name", "-o",
            "jsonpath={range .items[*]}{.metadata.name}={.status.qosClass}{\"\\n\"}{end}")).StdOut;
        var describe = (await kubectl.RunAsync("describe", "pod", "limited", "-n", "shop")).StdOut;

        Assert.Equal(
            ["cpu-only=Burstable", "limited=Guaranteed", "plain=BestEffort", "requested=Burstable", "zero=BestEffort"],
            classes.Split('\n', StringSplitOptions.RemoveEmptyEntries).Where(l => !l.StartsWith("web-", StringComparison.Ordinal)));
        Assert.Equal(["Guaranteed", "Guaranteed"], classes.Split('\n').Where(l => l.StartsWith("web-", StringComparison.Ordinal)).Select(l => l.Split('=')[1]));
        Assert.Matches(@"\nQoS Class:\s+Guaranteed\n", describe);
    }
}
