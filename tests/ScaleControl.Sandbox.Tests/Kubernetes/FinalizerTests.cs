using System.Text.Json.Nodes;
using ScaleControl.Testing.Kubernetes;
using ScaleControl.Testing.Timing;

namespace ScaleControl.Sandbox.Tests.Kubernetes;

/// <summary>
/// metadata.finalizers hold up a deletion as on a real apiserver: DELETE marks the object (deletionTimestamp), it stays
/// readable, takes no new finalizer, and goes when an update empties its finalizers; checked with real kubectl.
/// </summary>
public sealed class FinalizerTests
{
    private const string Hold = "example.com/hold";
    private const string ConfigMapPath = "api/v1/namespaces/shop/configmaps";

    private static JsonObject HeldConfigMap(string name) => new()
    {
        ["apiVersion"] = "v1",
        ["kind"] = "ConfigMap",
        ["metadata"] = new JsonObject { ["name"] = name, ["namespace"] = "shop", ["finalizers"] = new JsonArray(Hold) },
        ["data"] = new JsonObject { ["k"] = "v" },
    };

    [Fact]
    public async Task KubectlDeleteNoWait_HeldObject_StaysWithDeletionTimestampUntilFinalizersArePatchedAway()
    {
        await using var sandbox = await SandboxHarness.StartAsync(fakeTime: true);
        sandbox.Control.Seed(HeldConfigMap("settings"));
        using var kubectl = new Kubectl(sandbox.Server.BaseUri);

        var deleted = await kubectl.RunAsync("delete", "configmap", "settings", "-n", "shop", "--wait=false");
        var marked = await kubectl.RunAsync("get", "configmap", "settings", "-n", "shop", "-o",
            "jsonpath={.metadata.deletionTimestamp} {.metadata.deletionGracePeriodSeconds} {.data.k}");
        var patched = await kubectl.RunAsync("patch", "configmap", "settings", "-n", "shop", "--type=merge", "-p", """{"metadata":{"finalizers":null}}""");
        var gone = await kubectl.RunRawAsync("get", "configmap", "settings", "-n", "shop");

        Assert.Equal("configmap \"settings\" deleted", deleted.StdOut.Trim());
        Assert.Equal("2026-05-01T12:00:00Z 0 v", marked.StdOut);
        Assert.Equal("configmap/settings patched", patched.StdOut.Trim());
        Assert.Equal(1, gone.ExitCode);
        Assert.Contains("configmaps \"settings\" not found", gone.StdErr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task KubectlDelete_Waiting_ReturnsOnlyOnceTheFinalizerIsRemoved()
    {
        await using var sandbox = await SandboxHarness.StartAsync(fakeTime: true);
        var seeded = sandbox.Control.Seed(HeldConfigMap("settings"));
        using var kubectl = new Kubectl(sandbox.Server.BaseUri);
        await using var watch = await WatchLines.OpenAsync(sandbox.Http,
            $"{ConfigMapPath}?watch=1&resourceVersion={(string)seeded["metadata"]!["resourceVersion"]!}");

        using var deleting = kubectl.Start("delete", "configmap", "settings", "-n", "shop");
        var stdout = deleting.StandardOutput.ReadToEndAsync();
        var marked = await watch.NextAsync(Patience.Of(30));
        await WaitForAsync(() => sandbox.Control.OpenWatches >= 2); // kubectl's own watch for the object to go
        var exitedWhileHeld = deleting.HasExited;
        await kubectl.RunAsync("patch", "configmap", "settings", "-n", "shop", "--type=json", "-p", """[{"op":"remove","path":"/metadata/finalizers"}]""");
        using var timeout = new CancellationTokenSource(Patience.Of(30));
        await deleting.WaitForExitAsync(timeout.Token);

        Assert.Equal("MODIFIED", (string?)marked!["type"]);
        Assert.False(exitedWhileHeld);
        Assert.Equal(0, deleting.ExitCode);
        Assert.Equal("configmap \"settings\" deleted", (await stdout).Trim());
        Assert.Null(sandbox.Control.Get("v1", "ConfigMap", "shop", "settings"));
    }

    [Fact]
    public async Task KubectlDelete_WithTimeoutWhileHeld_ReportsTheTimeoutAndLeavesTheObjectMarked()
    {
        await using var sandbox = await SandboxHarness.StartAsync(fakeTime: true);
        sandbox.Control.Seed(HeldConfigMap("settings"));
        using var kubectl = new Kubectl(sandbox.Server.BaseUri);

        var result = await kubectl.RunRawAsync("delete", "configmap", "settings", "-n", "shop", "--timeout=1s");

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("timed out waiting for the condition on configmaps/settings", result.StdErr, StringComparison.Ordinal);
        Assert.NotNull(sandbox.Control.Get("v1", "ConfigMap", "shop", "settings")?["metadata"]?["deletionTimestamp"]);
    }

    [Fact]
    public async Task KubectlPatch_NewFinalizerOnObjectBeingDeleted_IsRefusedAs422()
    {
        await using var sandbox = await SandboxHarness.StartAsync(fakeTime: true);
        sandbox.Control.Seed(HeldConfigMap("settings"));
        using var kubectl = new Kubectl(sandbox.Server.BaseUri);
        await kubectl.RunAsync("delete", "configmap", "settings", "-n", "shop", "--wait=false");

        var added = await kubectl.RunRawAsync("patch", "configmap", "settings", "-n", "shop", "--type=merge", "-p",
            """{"metadata":{"finalizers":["example.com/hold","example.com/late"]}}""");
        var (status, body) = await sandbox.SendAsync(HttpMethod.Patch, $"{ConfigMapPath}/settings",
            """{"metadata":{"finalizers":["example.com/late"]}}""", "application/merge-patch+json");

        Assert.Equal(1, added.ExitCode);
        Assert.Contains(
            "The ConfigMap \"settings\" is invalid: metadata.finalizers: Forbidden: no new finalizers can be added if the object is being deleted, found new finalizers []string{\"example.com/late\"}",
            added.StdErr, StringComparison.Ordinal);
        Assert.Equal((422, "Invalid"), (status, (string?)body["reason"]));
        Assert.Equal([Hold], sandbox.Control.Get("v1", "ConfigMap", "shop", "settings")!["metadata"]!["finalizers"]!.AsArray().Select(f => (string?)f));
    }

    [Fact]
    public async Task Delete_HeldObjectTwice_AnswersTheObjectBothTimesWithTheFirstMarks()
    {
        await using var sandbox = await SandboxHarness.StartAsync(fakeTime: true);
        sandbox.Control.Seed(HeldConfigMap("settings"));

        var first = await sandbox.SendAsync(HttpMethod.Delete, $"{ConfigMapPath}/settings");
        sandbox.Time!.Advance(TimeSpan.FromMinutes(1));
        var second = await sandbox.SendAsync(HttpMethod.Delete, $"{ConfigMapPath}/settings");
        var read = await sandbox.SendAsync(HttpMethod.Get, $"{ConfigMapPath}/settings");

        Assert.Equal((200, "ConfigMap"), (first.Status, (string?)first.Body["kind"]));
        Assert.Equal((200, "ConfigMap"), (second.Status, (string?)second.Body["kind"]));
        Assert.Equal("2026-05-01T12:00:00Z", (string?)second.Body["metadata"]!["deletionTimestamp"]);
        Assert.Equal((string?)first.Body["metadata"]!["resourceVersion"], (string?)second.Body["metadata"]!["resourceVersion"]);
        Assert.Equal((200, "2026-05-01T12:00:00Z"), (read.Status, (string?)read.Body["metadata"]!["deletionTimestamp"]));
    }

    [Fact]
    public async Task Watch_HeldDeletion_IsModifiedWithDeletionTimestampThenDeletedWhenFinalizersEmptied()
    {
        await using var sandbox = await SandboxHarness.StartAsync(fakeTime: true);
        var seeded = sandbox.Control.Seed(HeldConfigMap("settings"));
        await using var watch = await WatchLines.OpenAsync(sandbox.Http,
            $"{ConfigMapPath}?watch=1&resourceVersion={(string)seeded["metadata"]!["resourceVersion"]!}");

        await sandbox.SendAsync(HttpMethod.Delete, $"{ConfigMapPath}/settings");
        var patched = await sandbox.SendAsync(HttpMethod.Patch, $"{ConfigMapPath}/settings", """{"metadata":{"finalizers":[]}}""", "application/merge-patch+json");
        var modified = await watch.NextAsync();
        var deleted = await watch.NextAsync();

        Assert.Equal(200, patched.Status);
        Assert.Equal("MODIFIED", (string?)modified!["type"]);
        Assert.Equal("2026-05-01T12:00:00Z", (string?)modified["object"]!["metadata"]!["deletionTimestamp"]);
        Assert.Equal("DELETED", (string?)deleted!["type"]);
        Assert.Null(sandbox.Control.Get("v1", "ConfigMap", "shop", "settings"));
    }

    [Fact]
    public async Task KubectlDelete_HeldCustomResource_StaysUntilItsFinalizerIsRemoved()
    {
        await using var sandbox = await SandboxHarness.StartAsync(fakeTime: true);
        sandbox.Control.Seed(RouteCrd.With("""{"host":{"type":"string"}}"""));
        sandbox.Control.Seed("""
            {"apiVersion":"example.io/v1","kind":"Route","metadata":{"name":"web","namespace":"shop","finalizers":["example.com/hold"]},"spec":{"host":"a"}}
            """);
        using var kubectl = new Kubectl(sandbox.Server.BaseUri);

        await kubectl.RunAsync("delete", "route", "web", "-n", "shop", "--wait=false");
        var marked = await kubectl.RunAsync("get", "route", "web", "-n", "shop", "-o", "jsonpath={.metadata.deletionTimestamp}");
        await kubectl.RunAsync("patch", "route", "web", "-n", "shop", "--type=merge", "-p", """{"metadata":{"finalizers":null}}""");

        Assert.Equal("2026-05-01T12:00:00Z", marked.StdOut);
        Assert.Null(sandbox.Control.Get("example.io/v1", "Route", "shop", "web"));
    }

    [Fact]
    public async Task DeleteCrd_WithAHeldCustomResource_KeepsServingItUntilItsFinalizerIsRemoved()
    {
        await using var sandbox = await SandboxHarness.StartAsync(fakeTime: true);
        sandbox.Control.Seed(RouteCrd.With("""{"host":{"type":"string"}}"""));
        sandbox.Control.Seed("""
            {"apiVersion":"example.io/v1","kind":"Route","metadata":{"name":"web","namespace":"shop","finalizers":["example.com/hold"]},"spec":{"host":"a"}}
            """);
        sandbox.Control.Seed("""{"apiVersion":"example.io/v1","kind":"Route","metadata":{"name":"free","namespace":"shop"},"spec":{"host":"b"}}""");
        const string Routes = "apis/example.io/v1/namespaces/shop/routes";

        var deleted = await sandbox.SendAsync(HttpMethod.Delete, "apis/apiextensions.k8s.io/v1/customresourcedefinitions/routes.example.io");
        var held = await sandbox.SendAsync(HttpMethod.Get, Routes);
        await sandbox.SendAsync(HttpMethod.Patch, $"{Routes}/web", """{"metadata":{"finalizers":null}}""", "application/merge-patch+json");
        var after = await sandbox.SendAsync(HttpMethod.Get, Routes);

        Assert.Equal(200, deleted.Status);
        Assert.NotNull(deleted.Body["metadata"]!["deletionTimestamp"]);
        Assert.Equal(["web"], held.Body["items"]!.AsArray().Select(i => (string?)i!["metadata"]!["name"]));
        Assert.Equal(404, after.Status);
        Assert.Null(sandbox.Control.Get("apiextensions.k8s.io/v1", "CustomResourceDefinition", "", "routes.example.io"));
    }

    [Fact]
    public async Task KubectlDelete_HeldDeployment_KeepsItsPodsAndStopsScalingUntilReleased()
    {
        await using var sandbox = await SandboxHarness.StartAsync(fakeTime: true);
        var deployment = sandbox.Control.SeedDeployment("shop", "web", 2, readyReplicas: 2);
        deployment["metadata"]!["finalizers"] = new JsonArray(Hold);
        sandbox.Control.Seed(deployment);
        sandbox.Control.ReconcileNow();
        using var kubectl = new Kubectl(sandbox.Server.BaseUri);

        await kubectl.RunAsync("delete", "deployment", "web", "-n", "shop", "--wait=false");
        await kubectl.RunAsync("scale", "deployment", "web", "-n", "shop", "--replicas=4");
        sandbox.Control.ReconcileNow();
        var podsWhileHeld = sandbox.Control.List("v1", "Pod", "shop").Count;
        await kubectl.RunAsync("patch", "deployment", "web", "-n", "shop", "--type=merge", "-p", """{"metadata":{"finalizers":null}}""");
        sandbox.Control.ReconcileNow();
        sandbox.Control.ReconcileNow();
        sandbox.Time!.Advance(TimeSpan.FromSeconds(30)); // the collected pods' grace period
        sandbox.Control.ReconcileNow();

        Assert.Equal(2, podsWhileHeld);
        Assert.Null(sandbox.Control.Get("apps/v1", "Deployment", "shop", "web"));
        Assert.Empty(sandbox.Control.List("v1", "Pod", "shop"));
    }

    [Fact]
    public async Task KubectlDeleteNamespace_WithHeldContent_StaysTerminatingRefusesNewContentAndGoesWhenReleased()
    {
        await using var sandbox = await SandboxHarness.StartAsync(fakeTime: true);
        sandbox.Control.Seed(HeldConfigMap("settings"));
        sandbox.Control.Seed("""{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"free","namespace":"shop"}}""");
        using var kubectl = new Kubectl(sandbox.Server.BaseUri);

        await kubectl.RunAsync("delete", "namespace", "shop", "--wait=false");
        var phase = await kubectl.RunAsync("get", "namespace", "shop", "-o", "jsonpath={.status.phase} {.metadata.deletionTimestamp}");
        var left = await kubectl.RunAsync("get", "configmaps", "-n", "shop", "-o", "name");
        var refused = await kubectl.RunRawAsync("create", "configmap", "late", "-n", "shop");
        await kubectl.RunAsync("patch", "configmap", "settings", "-n", "shop", "--type=merge", "-p", """{"metadata":{"finalizers":null}}""");

        Assert.Equal("Terminating 2026-05-01T12:00:00Z", phase.StdOut);
        Assert.Equal("configmap/settings", left.StdOut.Trim());
        Assert.Equal(1, refused.ExitCode);
        Assert.Contains("configmaps \"late\" is forbidden: unable to create new content in namespace shop because it is being terminated", refused.StdErr, StringComparison.Ordinal);
        Assert.Null(sandbox.Control.Get("v1", "Namespace", "", "shop"));
    }

    private static async Task WaitForAsync(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow + Patience.Of(30);
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "the condition did not hold in time");
            await Task.Delay(20);
        }
    }

    [Fact]
    public async Task Create_WithDeletionTimestampInTheBody_StoresNoDeletionMarks()
    {
        await using var sandbox = await SandboxHarness.StartAsync(fakeTime: true);

        var (status, body) = await sandbox.SendAsync(HttpMethod.Post, ConfigMapPath,
            """{"metadata":{"name":"settings","deletionTimestamp":"2020-01-01T00:00:00Z","deletionGracePeriodSeconds":30}}""");

        Assert.Equal(201, status);
        Assert.Null(body["metadata"]!["deletionTimestamp"]);
        Assert.Null(body["metadata"]!["deletionGracePeriodSeconds"]);
    }
}
