using System.Text.Json.Nodes;
using ScaleControl.Testing.Kubernetes;

namespace ScaleControl.Sandbox.Tests.Kubernetes;

/// <summary>
/// <c>kubectl apply --server-side</c> on sets (<c>+listType=set</c>: <c>metadata.finalizers</c>, a CRD's
/// <c>x-kubernetes-list-type: set</c>): each value is owned by the managers that set it (<c>v:"example.com/a"</c>),
/// managers applying different values never conflict, and one dropping its value removes only that value. A strategic
/// merge patch (client-side apply, <c>kubectl patch</c>) merges finalizers by value too (their patchStrategy=merge).
/// </summary>
public sealed class ServerSideApplySetTests
{
    private const string Config = """
        apiVersion: v1
        kind: ConfigMap
        metadata:
          name: app
          namespace: shop
          finalizers: [FINALIZERS]
        """;

    [Fact]
    public async Task ApplyServerSide_TwoManagersTheirOwnFinalizers_BothKeptEachDropsOnlyItsOwn()
    {
        await using var sandbox = await SandboxHarness.StartAsync(fakeTime: true);
        sandbox.Control.Seed("""{"apiVersion":"v1","kind":"Namespace","metadata":{"name":"shop"}}""");
        using var kubectl = new Kubectl(sandbox.Server.BaseUri);

        await ApplyAsync(kubectl, "team-a", "example.com/a, example.com/shared");
        var teamB = await ApplyAsync(kubectl, "team-b", "example.com/b, example.com/shared");
        var both = await GetAsync(kubectl);
        var owners = Owners(both);
        await ApplyAsync(kubectl, "team-a", "");
        var afterA = await GetAsync(kubectl);
        await ApplyAsync(kubectl, "team-b", "example.com/shared");
        var afterB = await GetAsync(kubectl);

        Assert.Equal((0, ""), (teamB.ExitCode, teamB.StdErr));
        Assert.Equal(["example.com/a", "example.com/shared", "example.com/b"], Finalizers(both));
        Assert.Equal(["v:\"example.com/a\"", "v:\"example.com/shared\""], owners["team-a"]);
        Assert.Equal(["v:\"example.com/b\"", "v:\"example.com/shared\""], owners["team-b"]);
        Assert.Equal(["example.com/shared", "example.com/b"], Finalizers(afterA)); // shared stays: team-b owns it too
        Assert.Equal(["example.com/shared"], Finalizers(afterB));
    }

    [Fact]
    public async Task ApplyServerSide_FinalizerAddedByAPatch_KeptBesideTheAppliedOnes()
    {
        await using var sandbox = await SandboxHarness.StartAsync(fakeTime: true);
        sandbox.Control.Seed("""{"apiVersion":"v1","kind":"Namespace","metadata":{"name":"shop"}}""");
        using var kubectl = new Kubectl(sandbox.Server.BaseUri);
        await ApplyAsync(kubectl, "gitops", "example.com/a");

        // A controller adds its finalizer with a plain patch (an Update), as controllers do.
        await kubectl.RunAsync("patch", "cm", "app", "-n", "shop", "--type=json", "--field-manager=controller", "-p",
            """[{"op":"add","path":"/metadata/finalizers/-","value":"example.com/protect"}]""");
        var reapplied = await ApplyAsync(kubectl, "gitops", "example.com/a, example.com/b");
        var configMap = await GetAsync(kubectl);
        var dropped = await ApplyAsync(kubectl, "gitops", "");

        Assert.Equal((0, ""), (reapplied.ExitCode, reapplied.StdErr));
        Assert.Equal(["example.com/a", "example.com/protect", "example.com/b"], Finalizers(configMap));
        Assert.Equal(["v:\"example.com/protect\""], Owners(configMap)["controller"]);
        Assert.Equal(0, dropped.ExitCode);
        Assert.Equal(["example.com/protect"], Finalizers(await GetAsync(kubectl)));
    }

    [Fact]
    public async Task ApplyServerSide_DuplicateFinalizer_IsTheApiserversBadRequest()
    {
        await using var sandbox = await SandboxHarness.StartAsync(fakeTime: true);
        sandbox.Control.Seed("""{"apiVersion":"v1","kind":"Namespace","metadata":{"name":"shop"}}""");
        using var kubectl = new Kubectl(sandbox.Server.BaseUri);

        var duplicate = await ApplyAsync(kubectl, "team-a", "example.com/a, example.com/a");

        Assert.Equal(1, duplicate.ExitCode);
        Assert.Contains("""failed to create typed patch object (/v1, Kind=ConfigMap): .metadata.finalizers: duplicate entries for key [="example.com/a"]""", duplicate.StdErr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ApplyServerSide_CustomResourceSet_MergesValueByValue()
    {
        await using var sandbox = await SandboxHarness.StartAsync(fakeTime: true);
        sandbox.Control.Seed("""{"apiVersion":"v1","kind":"Namespace","metadata":{"name":"shop"}}""");
        sandbox.Control.Seed(RouteCrd.With("""{"hosts":{"type":"array","x-kubernetes-list-type":"set","items":{"type":"string"}}}"""));
        using var kubectl = new Kubectl(sandbox.Server.BaseUri);
        const string Route = """
            apiVersion: example.io/v1
            kind: Route
            metadata: {name: r, namespace: shop}
            spec: {hosts: [HOSTS]}
            """;

        await kubectl.RunAsync("apply", "--server-side", "--field-manager=a", "-f", kubectl.WriteFile("a.yaml", Route.Replace("HOSTS", "a.example, both.example", StringComparison.Ordinal)));
        var b = await kubectl.RunRawAsync("apply", "--server-side", "--field-manager=b", "-f", kubectl.WriteFile("b.yaml", Route.Replace("HOSTS", "both.example, b.example", StringComparison.Ordinal)));
        var route = JsonNode.Parse((await kubectl.RunAsync("get", "route", "r", "-n", "shop", "-o", "json")).StdOut)!;

        Assert.Equal((0, ""), (b.ExitCode, b.StdErr));
        Assert.Equal("""["a.example","both.example","b.example"]""", route["spec"]!["hosts"]!.ToJsonString());
    }

    [Fact]
    public async Task ClientSideApplyAndStrategicPatch_Finalizers_MergeByValue()
    {
        await using var sandbox = await SandboxHarness.StartAsync(fakeTime: true);
        sandbox.Control.Seed("""{"apiVersion":"v1","kind":"Namespace","metadata":{"name":"shop"}}""");
        using var kubectl = new Kubectl(sandbox.Server.BaseUri);
        string Manifest(string finalizers) => kubectl.WriteFile($"cm-{Guid.NewGuid():N}.yaml", Config.Replace("FINALIZERS", finalizers, StringComparison.Ordinal));
        await kubectl.RunAsync("apply", "-f", Manifest("example.com/a"));
        await kubectl.RunAsync("patch", "cm", "app", "-n", "shop", "--type=json", "-p", """[{"op":"add","path":"/metadata/finalizers/-","value":"example.com/protect"}]""");

        // kubectl sends only the added value (finalizers merge by patchStrategy), then $deleteFromPrimitiveList for the dropped one.
        await kubectl.RunAsync("apply", "-f", Manifest("example.com/a, example.com/b"));
        var added = Finalizers(await GetAsync(kubectl));
        await kubectl.RunAsync("apply", "-f", Manifest("example.com/b"));
        var dropped = Finalizers(await GetAsync(kubectl));
        await kubectl.RunAsync("patch", "cm", "app", "-n", "shop", "--type=strategic", "-p", """{"metadata":{"finalizers":["example.com/c"]}}""");
        var patched = Finalizers(await GetAsync(kubectl));

        Assert.Equal(["example.com/a", "example.com/b", "example.com/protect"], added.Order(StringComparer.Ordinal));
        Assert.Equal(["example.com/b", "example.com/protect"], dropped.Order(StringComparer.Ordinal));
        Assert.Equal(["example.com/b", "example.com/c", "example.com/protect"], patched.Order(StringComparer.Ordinal));
    }

    private static Task<KubectlResult> ApplyAsync(Kubectl kubectl, string manager, string finalizers) =>
        kubectl.RunRawAsync("apply", "--server-side", $"--field-manager={manager}", "-f",
            kubectl.WriteFile($"{manager}-{Guid.NewGuid():N}.yaml", Config.Replace("FINALIZERS", finalizers, StringComparison.Ordinal)));

    private static async Task<JsonNode> GetAsync(Kubectl kubectl) =>
        JsonNode.Parse((await kubectl.RunAsync("get", "cm", "app", "-n", "shop", "--show-managed-fields", "-o", "json")).StdOut)!;

    private static List<string?> Finalizers(JsonNode configMap) =>
        [.. (configMap["metadata"]!["finalizers"] as JsonArray ?? []).Select(f => (string?)f)];

    // The keys of each manager's f:metadata.f:finalizers, as its managedFields entry records them (each an empty {}).
    private static Dictionary<string, List<string>> Owners(JsonNode configMap) =>
        configMap["metadata"]!["managedFields"]!.AsArray()
            .Where(e => e!["fieldsV1"]?["f:metadata"]?["f:finalizers"] is JsonObject)
            .ToDictionary(e => (string)e!["manager"]!, e => e!["fieldsV1"]!["f:metadata"]!["f:finalizers"]!.AsObject()
                .Select(kv => Assert.IsType<JsonObject>(kv.Value).Count == 0 ? kv.Key : $"{kv.Key} (not empty)").ToList());
}
