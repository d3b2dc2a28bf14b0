using ScaleControl.Testing.Kubernetes;

namespace ScaleControl.Sandbox.Tests.Kubernetes;

/// <summary>The priority-1 columns <c>kubectl get -o wide</c> prints from the server-side Table.</summary>
public sealed class WideColumnsTests
{
    [Fact]
    public async Task GetDeployWide_PrintsContainersImagesAndSelector()
    {
        await using var sandbox = await SandboxHarness.StartAsync(fakeTime: true);
        sandbox.Control.Seed("""
            apiVersion: apps/v1
            kind: Deployment
            metadata: {name: api, namespace: shop}
            spec:
              replicas: 1
              selector:
                matchLabels: {tier: web, app: api}
                matchExpressions: [{key: track, operator: In, values: [stable, canary]}]
              template:
                metadata: {labels: {app: api, tier: web, track: stable}}
                spec:
                  containers:
                  - {name: api, image: "api:1"}
                  - {name: proxy, image: "envoy:2"}
            """);
        using var kubectl = new Kubectl(sandbox.Server.BaseUri);

        var plain = Lines((await kubectl.RunAsync("get", "deploy", "-n", "shop")).StdOut);
        var wide = Lines((await kubectl.RunAsync("get", "deploy", "-n", "shop", "-o", "wide")).StdOut);

        Assert.Equal("NAME READY UP-TO-DATE AVAILABLE AGE", plain[0]);
        Assert.Equal("NAME READY UP-TO-DATE AVAILABLE AGE CONTAINERS IMAGES SELECTOR", wide[0]);
        Assert.EndsWith(" api,proxy api:1,envoy:2 app=api,tier=web,track in (canary,stable)", wide[1], StringComparison.Ordinal);
    }

    [Fact]
    public async Task GetReplicaSetWide_PrintsContainersImagesAndSelectorWithThePodTemplateHash()
    {
        await using var sandbox = await SandboxHarness.StartAsync(fakeTime: true);
        using var kubectl = await RolloutSandbox.RunningAsync(sandbox, "web", 2);
        var hash = (await kubectl.RunAsync("get", "rs", "-n", "shop", "-o", "jsonpath={.items[0].metadata.labels.pod-template-hash}")).StdOut;

        var wide = Lines((await kubectl.RunAsync("get", "rs", "-n", "shop", "-o", "wide")).StdOut);

        Assert.Equal("NAME DESIRED CURRENT READY AGE CONTAINERS IMAGES SELECTOR", wide[0]);
        Assert.EndsWith($" nginx nginx:1.27 app=web,pod-template-hash={hash}", wide[1], StringComparison.Ordinal);
    }

    [Fact]
    public async Task GetScaleProposalWide_PrintsTheFirstApprover()
    {
        await using var sandbox = await SandboxHarness.StartAsync(fakeTime: true, installCrds: true);
        sandbox.Control.Seed("""
            apiVersion: scalecontrol.io/v1alpha1
            kind: ScaleProposal
            metadata: {name: p1, namespace: shop}
            spec: {target: {name: api}, toReplicas: 4}
            status:
              approvals:
              - {user: alice}
              - {user: bob}
            """);
        using var kubectl = new Kubectl(sandbox.Server.BaseUri);

        var plain = Lines((await kubectl.RunAsync("get", "sprop", "-n", "shop")).StdOut);
        var wide = Lines((await kubectl.RunAsync("get", "sprop", "-n", "shop", "-o", "wide")).StdOut);

        Assert.DoesNotContain("APPROVED-BY", plain[0], StringComparison.Ordinal);
        Assert.Contains("APPROVED-BY", wide[0], StringComparison.Ordinal);
        Assert.Contains(" alice ", wide[1], StringComparison.Ordinal);
        Assert.DoesNotContain("bob", wide[1], StringComparison.Ordinal);
    }

    private static string[] Lines(string output) =>
        output.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(l => string.Join(' ', l.Split(' ', StringSplitOptions.RemoveEmptyEntries))).ToArray();
}
