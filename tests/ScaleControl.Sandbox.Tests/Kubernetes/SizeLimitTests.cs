using System.Text.Json.Nodes;
using ScaleControl.Testing.Kubernetes;

namespace ScaleControl.Sandbox.Tests.Kubernetes;

/// <summary>
/// The apiserver's size limits below its 3 MiB body limit, through the real kubectl: a ConfigMap's or Secret's data over
/// 1 MiB (422), annotations over 256 KiB (422), and a custom resource that validates but is larger than etcd takes
/// (the 500 etcd's "request is too large" becomes). Nothing over a limit is stored.
/// </summary>
public sealed class SizeLimitTests
{
    private const int MiB = 1024 * 1024;

    [Fact]
    public async Task CreateConfigMap_OfMoreThan1MiB_Is422OnTheWholeObject()
    {
        await using var sandbox = await SandboxHarness.StartAsync(fakeTime: true);
        using var kubectl = new Kubectl(sandbox.Server.BaseUri);
        var full = kubectl.WriteFile("full.txt", new string('x', MiB));
        var over = kubectl.WriteFile("over.txt", new string('x', MiB + 1));

        var atLimit = await kubectl.RunRawAsync("create", "configmap", "full", "-n", "default", "--from-file=blob=" + full);
        var result = await kubectl.RunRawAsync("create", "configmap", "big", "-n", "default", "--from-file=blob=" + over);
        var (status, body) = await sandbox.SendAsync(HttpMethod.Post, "api/v1/namespaces/default/configmaps",
            new JsonObject { ["metadata"] = new JsonObject { ["name"] = "raw" }, ["data"] = new JsonObject { ["a"] = new string('x', MiB), ["b"] = "y" } }.ToJsonString());

        Assert.True(atLimit.ExitCode == 0, atLimit.StdErr);
        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains("""error: failed to create configmap: ConfigMap "big" is invalid: []: Too long: may not be more than 1048576 bytes""", result.StdErr, StringComparison.Ordinal);
        Assert.Equal(422, status);
        var cause = Assert.Single(body["details"]!["causes"]!.AsArray());
        Assert.Equal(("FieldValueTooLong", "[]"), ((string?)cause!["reason"], (string?)cause["field"]));
        Assert.Null(sandbox.Control.Get("v1", "ConfigMap", "default", "big"));
        Assert.Null(sandbox.Control.Get("v1", "ConfigMap", "default", "raw"));
    }

    [Fact]
    public async Task CreateSecret_OfMoreThan1MiBDecoded_Is422OnData()
    {
        await using var sandbox = await SandboxHarness.StartAsync(fakeTime: true);
        using var kubectl = new Kubectl(sandbox.Server.BaseUri);
        var full = kubectl.WriteFile("full.bin", new string('x', MiB));
        var over = kubectl.WriteFile("over.bin", new string('x', MiB + 1));

        // The body carries the bytes in base64 (a third more than 1 MiB): the limit counts what they decode to.
        var atLimit = await kubectl.RunRawAsync("create", "secret", "generic", "full", "-n", "default", "--from-file=blob=" + full);
        var result = await kubectl.RunRawAsync("create", "secret", "generic", "big", "-n", "default", "--from-file=blob=" + over);

        Assert.True(atLimit.ExitCode == 0, atLimit.StdErr);
        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains("""error: failed to create secret Secret "big" is invalid: data: Too long: may not be more than 1048576 bytes""", result.StdErr, StringComparison.Ordinal);
        Assert.Null(sandbox.Control.Get("v1", "Secret", "default", "big"));
    }

    [Fact]
    public async Task Apply_OfAConfigMapWhoseLastAppliedAnnotationIsOver256KiB_Is422OnAnnotations()
    {
        await using var sandbox = await SandboxHarness.StartAsync(fakeTime: true);
        using var kubectl = new Kubectl(sandbox.Server.BaseUri);
        var manifest = kubectl.WriteFile("dashboards.yaml", $"apiVersion: v1\nkind: ConfigMap\nmetadata: {{name: dashboards, namespace: default}}\ndata:\n  a.json: {new string('x', 300 * 1024)}\n");

        var result = await kubectl.RunRawAsync("apply", "-f", manifest);

        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains("""The ConfigMap "dashboards" is invalid: metadata.annotations: Too long: may not be more than 262144 bytes""", result.StdErr, StringComparison.Ordinal);
        Assert.Null(sandbox.Control.Get("v1", "ConfigMap", "default", "dashboards"));
    }

    [Fact]
    public async Task Create_OfACustomResourceLargerThanEtcdTakes_Is500WithEtcdsWords()
    {
        await using var sandbox = await SandboxHarness.StartAsync(fakeTime: true);
        sandbox.Control.Seed(RouteCrd.With("""{"blob":{"type":"string"}}"""));
        using var kubectl = new Kubectl(sandbox.Server.BaseUri);
        string Route(string name, int bytes) =>
            kubectl.WriteFile(name + ".yaml", $"apiVersion: example.io/v1\nkind: Route\nmetadata: {{name: {name}, namespace: default}}\nspec:\n  blob: {new string('x', bytes)}\n");

        var fits = await kubectl.RunRawAsync("create", "-f", Route("fits", MiB));
        var result = await kubectl.RunRawAsync("create", "-f", Route("big", 2 * MiB)); // under the 3 MiB body limit, over etcd's 1.5 MiB
        var (status, body) = await sandbox.SendAsync(HttpMethod.Post, "apis/example.io/v1/namespaces/default/routes",
            new JsonObject { ["metadata"] = new JsonObject { ["name"] = "raw" }, ["spec"] = new JsonObject { ["blob"] = new string('x', 2 * MiB) } }.ToJsonString());
        var (dryRunStatus, _) = await sandbox.SendAsync(HttpMethod.Post, "apis/example.io/v1/namespaces/default/routes?dryRun=All",
            new JsonObject { ["metadata"] = new JsonObject { ["name"] = "dry" }, ["spec"] = new JsonObject { ["blob"] = new string('x', 2 * MiB) } }.ToJsonString());

        Assert.True(fits.ExitCode == 0, fits.StdErr);
        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains("Error from server: error when creating", result.StdErr, StringComparison.Ordinal);
        Assert.Contains("etcdserver: request is too large", result.StdErr, StringComparison.Ordinal);
        Assert.Equal(500, status);
        Assert.Equal("etcdserver: request is too large", (string?)body["message"]);
        Assert.Null(body["reason"]);
        Assert.Equal(201, dryRunStatus); // a dry run never reaches etcd
        Assert.Null(sandbox.Control.Get("example.io/v1", "Route", "default", "big"));
        Assert.Null(sandbox.Control.Get("example.io/v1", "Route", "default", "raw"));
    }
}
