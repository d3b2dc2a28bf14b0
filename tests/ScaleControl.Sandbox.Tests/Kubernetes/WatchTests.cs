using System.Text.Json.Nodes;
using ScaleControl.Testing.Kubernetes;
using k8s;
using k8s.Models;
using ScaleControl.Sandbox.Kubernetes.Control;

namespace ScaleControl.Sandbox.Tests.Kubernetes;

/// <summary>Watch streams: framing, replay from a resourceVersion, 410 Expired, bookmarks, timeouts, selectors.</summary>
public sealed class WatchTests
{
    private const string Deployments = "apis/apps/v1/namespaces/shop/deployments";

    private static string Type(JsonObject e) => (string)e["type"]!;

    private static string Name(JsonObject e) => (string)e["object"]!["metadata"]!["name"]!;

    [Fact]
    public async Task Watch_WithoutResourceVersion_SendsSyntheticAddedThenLiveChanges()
    {
        await using var sandbox = await SandboxHarness.StartAsync(fakeTime: true);
        sandbox.Control.SeedDeployment("shop", "a", 1);
        sandbox.Control.SeedDeployment("shop", "b", 1);
        await using var watch = await WatchLines.OpenAsync(sandbox.Http, Deployments + "?watch=true");

        var first = await watch.NextAsync();
        var second = await watch.NextAsync();
        sandbox.Control.SeedDeployment("shop", "a", 5);
        var modified = await watch.NextAsync();

        Assert.Equal("application/json", watch.Response.Content.Headers.ContentType?.MediaType);
        Assert.Equal([("ADDED", "a"), ("ADDED", "b")], new[] { (Type(first!), Name(first!)), (Type(second!), Name(second!)) });
        Assert.Equal(("MODIFIED", "a", 5), (Type(modified!), Name(modified!), (int)modified!["object"]!["spec"]!["replicas"]!));
    }

    [Fact]
    public async Task Watch_FromResourceVersion_ReplaysOnlyLaterEventsIncludingDeletedWithLastState()
    {
        await using var sandbox = await SandboxHarness.StartAsync(fakeTime: true);
        sandbox.Control.SeedDeployment("shop", "a", 1);
        var list = await sandbox.Client.AppsV1.ListNamespacedDeploymentAsync("shop");
        sandbox.Control.SeedDeployment("shop", "b", 2);
        sandbox.Control.SeedDeployment("shop", "b", 3);
        sandbox.Control.Delete("apps/v1", "Deployment", "shop", "b");

        await using var watch = await WatchLines.OpenAsync(sandbox.Http, $"{Deployments}?watch=1&resourceVersion={list.Metadata.ResourceVersion}");
        var events = new[] { await watch.NextAsync(), await watch.NextAsync(), await watch.NextAsync() };

        Assert.Equal(["ADDED", "MODIFIED", "DELETED"], events.Select(e => Type(e!)).ToArray());
        Assert.All(events, e => Assert.Equal("b", Name(e!)));
        Assert.Equal(3, (int)events[2]!["object"]!["spec"]!["replicas"]!);
        var versions = events.Select(e => long.Parse((string)e!["object"]!["metadata"]!["resourceVersion"]!)).ToArray();
        Assert.Equal(versions.Order().ToArray(), versions);
    }

    [Fact]
    public async Task Watch_ResourceVersionOlderThanHistory_SendsInStream410ExpiredAndCloses()
    {
        await using var sandbox = await SandboxHarness.StartAsync(o => o.WatchHistoryLimit = 2, fakeTime: true);
        var old = (string)sandbox.Control.SeedDeployment("shop", "a", 1)["metadata"]!["resourceVersion"]!;
        for (var i = 2; i < 6; i++)
        {
            sandbox.Control.SeedDeployment("shop", "a", i);
        }

        await using var watch = await WatchLines.OpenAsync(sandbox.Http, $"{Deployments}?watch=true&resourceVersion={old}");
        var error = await watch.NextAsync();

        Assert.Equal(200, (int)watch.Response.StatusCode);
        Assert.Equal("ERROR", Type(error!));
        Assert.Equal((410, "Expired", "Status"), ((int)error!["object"]!["code"]!, (string?)error["object"]!["reason"], (string?)error["object"]!["kind"]));
        Assert.Null(await watch.NextAsync());
    }

    [Fact]
    public async Task ClientWatch_ForcedExpiry_ReportsKubernetesException410ThenEnds()
    {
        await using var sandbox = await SandboxHarness.StartAsync(fakeTime: true);
        sandbox.Control.SeedDeployment("shop", "a", 1);
        var errors = new List<Exception>();
        var seen = new List<(WatchEventType, string)>();

        await foreach (var (type, deployment) in sandbox.Client.AppsV1.WatchListNamespacedDeploymentAsync("shop", onError: errors.Add))
        {
            seen.Add((type, deployment.Metadata.Name));
            sandbox.Control.ExpireWatches();
        }

        Assert.Equal([(WatchEventType.Added, "a")], seen);
        var expired = Assert.IsType<KubernetesException>(Assert.Single(errors));
        Assert.Equal(410, expired.Status.Code);
    }

    [Fact]
    public async Task ExpireWatches_ThenResumeFromOldVersion_Gets410ButCurrentVersionWorks()
    {
        await using var sandbox = await SandboxHarness.StartAsync(fakeTime: true);
        var old = (string)sandbox.Control.SeedDeployment("shop", "a", 1)["metadata"]!["resourceVersion"]!;
        sandbox.Control.SeedDeployment("shop", "a", 2);
        sandbox.Control.ExpireWatches();

        await using var stale = await WatchLines.OpenAsync(sandbox.Http, $"{Deployments}?watch=true&resourceVersion={old}");
        await using var fresh = await WatchLines.OpenAsync(sandbox.Http, $"{Deployments}?watch=true&resourceVersion={sandbox.Control.ResourceVersion}");
        sandbox.Control.SeedDeployment("shop", "a", 3);

        Assert.Equal(410, (int)(await stale.NextAsync())!["object"]!["code"]!);
        Assert.Equal("MODIFIED", Type((await fresh.NextAsync())!));
    }

    [Fact]
    public async Task DropWatches_ClosesOpenStreamsWithoutAnEvent()
    {
        await using var sandbox = await SandboxHarness.StartAsync(fakeTime: true);
        sandbox.Control.SeedDeployment("shop", "a", 1);
        await using var watch = await WatchLines.OpenAsync(sandbox.Http, Deployments + "?watch=true");
        await watch.NextAsync();

        sandbox.Control.DropWatches();

        Assert.Null(await watch.NextAsync());
    }

    [Fact]
    public async Task Watch_AllowBookmarks_SendsBookmarkWithCurrentResourceVersionEachInterval()
    {
        await using var sandbox = await SandboxHarness.StartAsync(o => o.BookmarkInterval = TimeSpan.FromSeconds(30), fakeTime: true);
        sandbox.Control.SeedDeployment("shop", "a", 1);
        await using var watch = await WatchLines.OpenAsync(sandbox.Http, Deployments + "?watch=true&allowWatchBookmarks=true");
        await watch.NextAsync();
        sandbox.Control.SeedDeployment("other", "b", 1); // moves the resourceVersion, not this watch
        var next = watch.NextAsync(TimeSpan.FromSeconds(10));

        while (!next.IsCompleted)
        {
            sandbox.Time!.Advance(TimeSpan.FromSeconds(30));
            await Task.WhenAny(next, Task.Delay(50));
        }

        var bookmark = await next;
        Assert.Equal("BOOKMARK", Type(bookmark!));
        Assert.Equal(sandbox.Control.ResourceVersion.ToString(System.Globalization.CultureInfo.InvariantCulture), (string?)bookmark!["object"]!["metadata"]!["resourceVersion"]);
        Assert.Equal(("Deployment", "apps/v1"), ((string?)bookmark["object"]!["kind"], (string?)bookmark["object"]!["apiVersion"]));
    }

    [Fact]
    public async Task Watch_TimeoutSeconds_ClosesTheStream()
    {
        await using var sandbox = await SandboxHarness.StartAsync(fakeTime: true);
        sandbox.Control.SeedDeployment("shop", "a", 1);
        await using var watch = await WatchLines.OpenAsync(sandbox.Http, Deployments + "?watch=true&timeoutSeconds=60");
        await watch.NextAsync();
        var next = watch.NextAsync(TimeSpan.FromSeconds(10));

        sandbox.Time!.Advance(TimeSpan.FromSeconds(59));
        await Task.Delay(100);
        Assert.False(next.IsCompleted);
        sandbox.Time.Advance(TimeSpan.FromSeconds(1));

        Assert.Null(await next);
    }

    [Fact]
    public async Task Watch_LabelSelector_SendsOnlyMatchingObjects()
    {
        await using var sandbox = await SandboxHarness.StartAsync(fakeTime: true);
        await using var watch = await WatchLines.OpenAsync(sandbox.Http, Deployments + "?watch=true&resourceVersion=" + sandbox.Control.ResourceVersion + "&labelSelector=tier%3Dweb");

        sandbox.Control.SeedDeployment("shop", "db", 1, labels: new Dictionary<string, string> { ["tier"] = "db" });
        sandbox.Control.SeedDeployment("shop", "web", 1, labels: new Dictionary<string, string> { ["tier"] = "web" });

        Assert.Equal("web", Name((await watch.NextAsync())!));
    }

    [Fact]
    public async Task Watch_LabelSelector_ObjectEnteringIsAddedAndLeavingIsDeleted()
    {
        await using var sandbox = await SandboxHarness.StartAsync(fakeTime: true);
        sandbox.Control.SeedDeployment("shop", "web", 1, labels: new Dictionary<string, string> { ["tier"] = "db" });
        await using var watch = await WatchLines.OpenAsync(sandbox.Http, Deployments + "?watch=true&resourceVersion=" + sandbox.Control.ResourceVersion + "&labelSelector=tier%3Dweb");

        sandbox.Control.SeedDeployment("shop", "web", 1, labels: new Dictionary<string, string> { ["tier"] = "web" });
        sandbox.Control.SeedDeployment("shop", "web", 2, labels: new Dictionary<string, string> { ["tier"] = "web" });
        sandbox.Control.SeedDeployment("shop", "web", 2, labels: new Dictionary<string, string> { ["tier"] = "db" });
        sandbox.Control.SeedDeployment("shop", "web", 3, labels: new Dictionary<string, string> { ["tier"] = "db" });
        sandbox.Control.SeedDeployment("shop", "web", 3, labels: new Dictionary<string, string> { ["tier"] = "web" });

        var types = new List<string>();
        for (var i = 0; i < 4; i++)
        {
            types.Add(Type((await watch.NextAsync())!));
        }

        Assert.Equal(["ADDED", "MODIFIED", "DELETED", "ADDED"], types);
    }

    [Fact]
    public async Task Watch_EventsFieldSelector_SendsOnlyEventsOfThatObject()
    {
        await using var sandbox = await SandboxHarness.StartAsync(fakeTime: true);
        await using var watch = await WatchLines.OpenAsync(sandbox.Http, "api/v1/namespaces/shop/events?watch=true&resourceVersion=1&fieldSelector=involvedObject.name%3Dweb");

        foreach (var target in new[] { "api", "web" })
        {
            await sandbox.Client.CoreV1.CreateNamespacedEventAsync(new Corev1Event
            {
                Metadata = new V1ObjectMeta { Name = $"{target}.1" },
                InvolvedObject = new V1ObjectReference { Kind = "Deployment", Name = target, NamespaceProperty = "shop" },
                Reason = "Test",
                Message = "m",
            }, "shop");
        }

        Assert.Equal("web.1", Name((await watch.NextAsync())!));
    }

    [Fact]
    public async Task ClientWatch_FaultOnWatch_ThrowsBeforeAnyEvent()
    {
        await using var sandbox = await SandboxHarness.StartAsync(fakeTime: true);
        using var fault = sandbox.Control.InjectFault(new SandboxFault { Verb = "watch", StatusCode = 503, Times = 1 });

        var ex = await Assert.ThrowsAsync<k8s.Autorest.HttpOperationException>(async () =>
        {
            await foreach (var _ in sandbox.Client.AppsV1.WatchListNamespacedDeploymentAsync("shop"))
            {
            }
        });

        Assert.Equal(System.Net.HttpStatusCode.ServiceUnavailable, ex.Response.StatusCode);
    }
}
