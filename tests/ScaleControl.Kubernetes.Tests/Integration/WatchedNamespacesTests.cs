using Microsoft.Extensions.DependencyInjection;
using ScaleControl.Core.Ports;
using ScaleControl.Kubernetes.Capacity;
using ScaleControl.Kubernetes.Tests.Infrastructure;
using ScaleControl.Kubernetes.Tests.Resources;
using ScaleControl.Sandbox.Kubernetes.Control;

namespace ScaleControl.Kubernetes.Tests.Integration;

/// <summary>
/// A replica restricted to namespaces a and b (<c>ScaleControl:Kubernetes:Namespaces</c>) against the sandbox API, whose
/// journal shows every request: each cache lists and watches a and b on their own endpoints, never the cluster-wide path
/// a Role cannot allow, and never touches c.
/// </summary>
public class WatchedNamespacesTests
{
    private const string Reader = "scalecontrol/reader";
    private static readonly string[] s_namespacedKinds = ["scalepolicies", "scaleproposals", "deployments", "statefulsets", "horizontalpodautoscalers"];

    [Fact]
    public async Task RestrictedReplica_ListsAndWatchesEachNamespace_NeverClusterWideNorOthers()
    {
        await using var sandbox = await KubernetesSandbox.StartAsync();
        var writer = sandbox.CreateNode();
        foreach (var ns in new[] { "a", "b", "c" })
        {
            await writer.Policies.UpsertAsync(SampleResources.FullPolicy(ns) with { Status = null }, CancellationToken.None);
            sandbox.Control.SeedDeployment(ns, "web", replicas: 2, readyReplicas: 2);
        }

        await writer.Proposals.CreateAsync(SampleResources.FullProposal("c"), CancellationToken.None);
        var reader = RestrictedNode(sandbox);

        var policies = await reader.Policies.ListAsync(null, CancellationToken.None);
        await reader.Proposals.ListAsync(null, CancellationToken.None);
        await reader.WorkloadCache.WaitForSyncAsync(CancellationToken.None);

        Assert.Equal(["a/checkout", "b/checkout"], policies.Select(p => p.Key));
        Assert.Equal(["a/web", "b/web"], reader.WorkloadCache.Deployments.Items.Select(d => $"{d.Metadata.NamespaceProperty}/{d.Metadata.Name}").Order());
        Assert.Empty(reader.ProposalCache.Items);

        // Changes arrive over the per-namespace watches; a change in c does not.
        await writer.Policies.UpsertAsync(SampleResources.FullPolicy("c", "late") with { Status = null }, CancellationToken.None);
        await writer.Policies.UpsertAsync(SampleResources.FullPolicy("b", "late") with { Status = null }, CancellationToken.None);
        await Eventually.TrueAsync(() => reader.PolicyCache.Get("b/late") is not null, "the watch of b delivers b/late");

        // Every watch ends (410) and re-lists its own namespace: what one namespace's re-list misses is not taken from the other's.
        await Eventually.TrueAsync(() => sandbox.Control.OpenWatches == 2 * s_namespacedKinds.Length, "a watch per kind and namespace is open");
        sandbox.Control.ExpireWatches();
        await writer.Policies.DeleteAsync("a", "checkout", CancellationToken.None);
        await Eventually.TrueAsync(
            () => reader.PolicyCache.Items.Select(p => p.Key).Order().SequenceEqual(["b/checkout", "b/late"]),
            "the re-lists leave b's policies and drop a's deleted one");
        Assert.Null(reader.PolicyCache.Get("c/late"));

        var requests = sandbox.Control.Journal.Where(e => e.UserAgent == Reader).ToList();
        Assert.DoesNotContain(requests, e => e.Namespace is null);
        Assert.DoesNotContain(requests, e => e.Namespace == "c");
        foreach (var kind in s_namespacedKinds)
        {
            foreach (var ns in new[] { "a", "b" })
            {
                Assert.Contains(requests, e => e is { Verb: "list" } && e.Resource == kind && e.Namespace == ns);
                Assert.Contains(requests, e => e is { Verb: "watch" } && e.Resource == kind && e.Namespace == ns);
            }
        }
    }

    [Fact]
    public async Task RestrictedStores_RequestForAnotherNamespace_RefusedNamingItAndTheSet_BeforeAnyCall()
    {
        await using var sandbox = await KubernetesSandbox.StartAsync();
        var reader = RestrictedNode(sandbox);
        await reader.Policies.ListAsync(null, CancellationToken.None);
        var before = sandbox.Control.Journal.Count(e => e.UserAgent == Reader);

        var get = await Assert.ThrowsAsync<NamespaceNotWatchedException>(() => reader.Policies.GetAsync("c", "checkout", CancellationToken.None));
        var write = await Assert.ThrowsAsync<NamespaceNotWatchedException>(() => reader.Policies.UpsertAsync(SampleResources.FullPolicy("c") with { Status = null }, CancellationToken.None));
        var list = await Assert.ThrowsAsync<NamespaceNotWatchedException>(() => reader.Proposals.ListAsync("c", CancellationToken.None));
        var create = await Assert.ThrowsAsync<NamespaceNotWatchedException>(() => reader.Proposals.CreateAsync(SampleResources.FullProposal("c"), CancellationToken.None));

        const string Expected = "namespace 'c' is not watched by this ScaleControl: it works only in a, b (ScaleControl:Kubernetes:Namespaces)";
        Assert.All(new[] { get, write, list, create }, e => Assert.Equal((Expected, "c"), (e.Message, e.Namespace)));
        Assert.Equal(before, sandbox.Control.Journal.Count(e => e.UserAgent == Reader));
        Assert.Null(sandbox.Control.Get("scalecontrol.io/v1alpha1", "ScalePolicy", "c", "checkout"));
    }

    [Fact]
    public async Task RestrictedReplica_ClusterRoom_IsNotRead_AndSaysWhy()
    {
        await using var sandbox = await KubernetesSandbox.StartAsync();
        var reader = RestrictedNode(sandbox);

        var room = await reader.Services.GetRequiredService<IClusterCapacity>().ReadAsync(CancellationToken.None);

        Assert.Empty(room.Nodes);
        Assert.Equal(KubernetesClusterCapacity.NotReadWhenRestricted, room.Unknown);
        Assert.DoesNotContain(sandbox.Control.Journal, e => e.UserAgent == Reader && e.Resource is "nodes" or "pods");
    }

    private static ScaleControlNode RestrictedNode(ScaleControl.Testing.Kubernetes.SandboxHarness sandbox) =>
        sandbox.CreateNode(o =>
        {
            o.Namespaces = ["b", "a"];
            o.LeaderElection.Identity = "reader";
        });
}
