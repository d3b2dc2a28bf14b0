using ScaleControl.Kubernetes.Tests.Infrastructure;
using ScaleControl.Kubernetes.Tests.Resources;

namespace ScaleControl.Kubernetes.Tests.Integration;

public class WatchCacheTests
{
    [Fact]
    public async Task Cache_WatchExpired_ReListsAndCatchesUpWithChangesMadeMeanwhile()
    {
        await using var sandbox = await KubernetesSandbox.StartAsync();
        var writer = sandbox.CreateNode();
        var reader = sandbox.CreateNode();
        await writer.Policies.UpsertAsync(SampleResources.FullPolicy(name: "kept") with { Status = null }, CancellationToken.None);
        await writer.Policies.UpsertAsync(SampleResources.FullPolicy(name: "deleted") with { Status = null }, CancellationToken.None);
        await reader.Policies.ListAsync(null, CancellationToken.None);
        await Eventually.TrueAsync(() => reader.PolicyCache.Items.Count() == 2, "the reader holds both policies");
        await Eventually.TrueAsync(() => sandbox.Control.OpenWatches == 1, "the reader's watch is open");
        var listsBefore = reader.PolicyCache.ListCount;

        // The server compacts its history and ends the watch with ERROR 410 Expired; changes follow at once.
        sandbox.Control.ExpireWatches();
        await writer.Policies.DeleteAsync("shop", "deleted", CancellationToken.None);
        await writer.Policies.UpsertAsync(SampleResources.FullPolicy(name: "added") with { Status = null }, CancellationToken.None);

        await Eventually.TrueAsync(
            () => reader.PolicyCache.Items.Select(p => p.Metadata.Name).Order().SequenceEqual(["added", "kept"]),
            "the cache matches the server again");
        Assert.True(reader.PolicyCache.ListCount > listsBefore, "a 410 must cause a re-list");
    }

    [Fact]
    public async Task Cache_WatchDropped_ResumesFromLastResourceVersionWithoutReListing()
    {
        await using var sandbox = await KubernetesSandbox.StartAsync();
        var node = sandbox.CreateNode();
        await node.Policies.UpsertAsync(SampleResources.FullPolicy(name: "a") with { Status = null }, CancellationToken.None);
        await node.Policies.ListAsync(null, CancellationToken.None);
        await Eventually.TrueAsync(() => sandbox.Control.OpenWatches == 1, "the watch is open");
        var watchesBefore = node.PolicyCache.WatchCount;

        sandbox.Control.DropWatches();
        await Eventually.TrueAsync(() => node.PolicyCache.WatchCount > watchesBefore, "the watch was re-opened");
        sandbox.Control.Seed(System.Text.Json.JsonSerializer.Serialize(
            SampleResources.FullPolicy(name: "b") with { Status = null }, ScaleControl.Kubernetes.Resources.CustomResourceJson.Options));

        await Eventually.TrueAsync(() => node.PolicyCache.Get("shop/b") is not null, "the re-opened watch delivers new objects");
        Assert.Equal(1, node.PolicyCache.ListCount);
        Assert.Contains(sandbox.Control.Journal, e => e.Verb == "watch" && e.Query.Contains("resourceVersion=", StringComparison.Ordinal) && e.Query.Contains("allowWatchBookmarks=true", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Cache_PolicyThatDoesNotFitTheModel_IsServedAsUnreadableStandIn_AndTheRestAsUsual()
    {
        await using var sandbox = await KubernetesSandbox.StartAsync();
        var node = sandbox.CreateNode();
        sandbox.Control.Seed("""
            apiVersion: scalecontrol.io/v1alpha1
            kind: ScalePolicy
            metadata: {name: broken, namespace: shop}
            spec: {target: {kind: Deployment, name: web}, freeze: {until: soon, reason: written by hand}}
            """);
        await node.Policies.UpsertAsync(SampleResources.FullPolicy(name: "good") with { Status = null }, CancellationToken.None);

        var policies = (await node.Policies.ListAsync("shop", CancellationToken.None)).ToDictionary(p => p.Metadata.Name);

        // Skipped, the cache would keep serving the version before the edit; the stand-in keeps the target only.
        Assert.Equal(["broken", "good"], policies.Keys.Order());
        Assert.Equal("spec.freeze.until: the stored value is not an RFC 3339 time (2026-12-06T20:00:00+08:00)", policies["broken"].Unreadable);
        Assert.Equal(("Deployment", "web", null), (policies["broken"].Spec.Target.Kind, policies["broken"].Spec.Target.Name, policies["broken"].Spec.Freeze));
        Assert.Null(policies["good"].Unreadable);
        Assert.NotEmpty(policies["good"].Spec.Metrics);
    }
}
