using ScaleControl.Core.Policies;
using ScaleControl.Core.Ports;
using ScaleControl.Kubernetes.Tests.Infrastructure;
using ScaleControl.Testing.Kubernetes;

namespace ScaleControl.Kubernetes.Tests.Integration;

/// <summary>Real kubectl against the sandbox: our CRDs install, our resources print, our events describe.</summary>
public class KubectlTests
{
    [Fact]
    public async Task KubectlApply_CrdManifests_InstallAndServeScalePolicies()
    {
        await using var sandbox = await KubernetesSandbox.StartAsync(installCrds: false);
        using var kubectl = new Kubectl(sandbox.Server.BaseUri);

        foreach (var crd in SandboxHarness.CrdFiles)
        {
            Assert.Contains("created", (await kubectl.RunAsync("apply", "-f", crd)).StdOut, StringComparison.Ordinal);
        }

        var policyFile = kubectl.WriteFile("policy.yaml", """
            apiVersion: scalecontrol.io/v1alpha1
            kind: ScalePolicy
            metadata: {name: checkout, namespace: shop}
            spec:
              target: {kind: Deployment, name: checkout}
              metrics:
                - {name: qps, query: 'sum(rate(http_requests_total{service="checkout"}[1m]))', targetType: PerReplica, target: 500}
              minReplicas: 2
              maxReplicas: 60
              mode: Hybrid
              autoApproveMaxStep: {pods: 4}
            """);
        await kubectl.RunAsync("apply", "-f", policyFile);
        var node = sandbox.CreateNode();

        var policy = await node.Policies.GetAsync("shop", "checkout", CancellationToken.None);
        Assert.Equal(ScaleMode.Hybrid, policy!.Spec.Mode);
        Assert.Equal(500, policy.Spec.Metrics[0].Target);
        var written = await node.Policies.UpdateStatusAsync(policy with { Status = new ScalePolicyStatus { CurrentReplicas = 4, DesiredReplicas = 6 } }, CancellationToken.None);

        var table = (await kubectl.RunAsync("get", "sp", "-n", "shop")).StdOut;
        var header = table.Split('\n')[0];
        foreach (var column in new[] { "NAME", "TARGET", "MODE", "MIN", "MAX", "CURRENT", "DESIRED", "AGE" })
        {
            Assert.Contains(column, header, StringComparison.Ordinal);
        }

        Assert.Matches(@"checkout\s+checkout\s+Hybrid\s+2\s+60\s+4\s+6", table);

        // A held decision: what held it and the count it kept back are served as written.
        await node.Policies.UpdateStatusAsync(written with { Status = new ScalePolicyStatus { CurrentReplicas = 4, DesiredReplicas = 4, HeldBy = "cooldown", UnheldReplicas = 6 } }, CancellationToken.None);
        var held = (await kubectl.RunAsync("get", "sp", "checkout", "-n", "shop", "-o", "jsonpath={.status.heldBy} {.status.unheldReplicas}")).StdOut;
        Assert.Equal("cooldown 6", held.Trim());
    }

    [Fact]
    public async Task KubectlDeleteScaleProposal_RemovesItFromTheProductsCache()
    {
        await using var sandbox = await KubernetesSandbox.StartAsync();
        var node = sandbox.CreateNode();
        using var kubectl = new Kubectl(sandbox.Server.BaseUri);
        var created = await node.Proposals.CreateAsync(Resources.SampleResources.FullProposal(), CancellationToken.None);

        var output = (await kubectl.RunAsync("delete", "sprop", created.Metadata.Name, "-n", "shop")).StdOut;

        Assert.Contains($"scaleproposal.scalecontrol.io \"{created.Metadata.Name}\" deleted", output, StringComparison.Ordinal);
        await Eventually.TrueAsync(async () => await node.Proposals.GetAsync("shop", created.Metadata.Name, CancellationToken.None) is null, "the watch cache drops it");
    }

    [Fact]
    public async Task KubectlDescribeDeployment_ShowsScaleControlEvents()
    {
        await using var sandbox = await KubernetesSandbox.StartAsync();
        sandbox.Control.SeedDeployment("shop", "web", replicas: 2, readyReplicas: 2);
        var node = sandbox.CreateNode();
        using var kubectl = new Kubectl(sandbox.Server.BaseUri);

        await node.Events.RecordAsync(new WorkloadRef("shop", "Deployment", "web"), ScaleEventReasons.ScaledByScaleControl, "Scaled from 2 to 4 replicas (proposal p-7)", warning: false, CancellationToken.None);

        var described = (await kubectl.RunAsync("describe", "deployment", "web", "-n", "shop")).StdOut;
        Assert.Contains(ScaleEventReasons.ScaledByScaleControl, described, StringComparison.Ordinal);
        Assert.Contains("Scaled from 2 to 4 replicas (proposal p-7)", described, StringComparison.Ordinal);
    }

    [Fact]
    public async Task KubectlGetProposals_ByShortName_PrintsPhaseAndReplicas()
    {
        await using var sandbox = await KubernetesSandbox.StartAsync();
        var node = sandbox.CreateNode();
        using var kubectl = new Kubectl(sandbox.Server.BaseUri);
        await node.Proposals.CreateAsync(Resources.SampleResources.FullProposal(), CancellationToken.None);

        var table = (await kubectl.RunAsync("get", "sprop", "-n", "shop")).StdOut;

        Assert.Matches(@"checkout-20261125-1032\s+checkout\s+Applied\s+20\s+60", table);
    }
}
