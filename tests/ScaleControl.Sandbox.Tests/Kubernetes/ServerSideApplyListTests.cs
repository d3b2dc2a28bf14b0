using System.Text.Json.Nodes;
using ScaleControl.Testing.Kubernetes;

namespace ScaleControl.Sandbox.Tests.Kubernetes;

/// <summary>
/// <c>kubectl apply --server-side</c> by two field managers on one object's lists: associative lists (containers and
/// env by name, ports by containerPort and protocol, volumeMounts by mountPath) merge item by item and each item has
/// its owners; atomic lists (tolerations, args) are owned whole. A strategic merge patch matches items by patchMergeKey.
/// </summary>
public sealed class ServerSideApplyListTests
{
    private const string TeamA = """
        apiVersion: apps/v1
        kind: Deployment
        metadata: {name: web, namespace: shop}
        spec:
          selector: {matchLabels: {app: web}}
          template:
            metadata: {labels: {app: web}}
            spec:
              tolerations: [{key: dedicated, operator: Equal, value: web, effect: NoSchedule}]
              containers:
              - name: web
                image: "web:1"
                ports: [{containerPort: 8080, name: http}]
                env: [{name: A, value: "1"}]
                volumeMounts: [{name: data, mountPath: /data}]
              volumes: [{name: data, emptyDir: {}}, {name: cache, emptyDir: {}}]
        """;

    private const string TeamB = """
        apiVersion: apps/v1
        kind: Deployment
        metadata: {name: web, namespace: shop}
        spec:
          template:
            spec:
              containers:
              - name: web
                ports: [{containerPort: 9090, name: metrics}]
                env: [{name: B, value: "2"}]
                volumeMounts: [{name: cache, mountPath: /cache}]
              - {name: sidecar, image: "side:1"}
        """;

    [Fact]
    public async Task ApplyServerSide_TwoManagersOnDifferentItems_BothKeptEachOwnsItsOwn()
    {
        await using var sandbox = await SandboxHarness.StartAsync(fakeTime: true);
        sandbox.Control.Seed("""{"apiVersion":"v1","kind":"Namespace","metadata":{"name":"shop"}}""");
        using var kubectl = new Kubectl(sandbox.Server.BaseUri);

        await kubectl.RunAsync("apply", "--server-side", "--field-manager=team-a", "-f", kubectl.WriteFile("a.yaml", TeamA));
        await kubectl.RunAsync("apply", "--server-side", "--field-manager=team-b", "-f", kubectl.WriteFile("b.yaml", TeamB));
        var both = await GetAsync(kubectl);
        var owners = await OwnersAsync(kubectl);
        // team-a drops its port: only its own item goes.
        await kubectl.RunAsync("apply", "--server-side", "--field-manager=team-a", "-f", kubectl.WriteFile("a2.yaml", TeamA.Replace("ports: [{containerPort: 8080, name: http}]", "ports: []", StringComparison.Ordinal)));
        var afterDrop = await GetAsync(kubectl);

        var web = Container(both, "web");
        Assert.Equal(["web", "sidecar"], Names(both["spec"]!["template"]!["spec"]!["containers"]));
        Assert.Equal(["8080/http", "9090/metrics"], web["ports"]!.AsArray().Select(p => $"{p!["containerPort"]}/{p["name"]}"));
        Assert.Equal(["A", "B"], Names(web["env"]));
        Assert.Equal(["/data", "/cache"], web["volumeMounts"]!.AsArray().Select(m => (string?)m!["mountPath"]));
        Assert.Contains(("team-b", """.spec.template.spec.containers[name="web"].ports[containerPort=9090,protocol="TCP"].name"""), owners);
        Assert.Contains(("team-a", """.spec.template.spec.containers[name="web"].ports[containerPort=8080,protocol="TCP"].name"""), owners);
        Assert.Contains(("team-b", """.spec.template.spec.containers[name="web"].volumeMounts[mountPath="/cache"].name"""), owners);
        Assert.Contains(("team-a", """.spec.template.spec.containers[name="web"].env[name="A"].value"""), owners);
        Assert.Contains(("team-b", """.spec.template.spec.containers[name="sidecar"]"""), owners);
        Assert.Contains(("team-a", ".spec.template.spec.tolerations"), owners);
        Assert.DoesNotContain(owners, o => o.Path.StartsWith(".spec.template.spec.tolerations[", StringComparison.Ordinal));
        Assert.Equal(["9090/metrics"], Container(afterDrop, "web")["ports"]!.AsArray().Select(p => $"{p!["containerPort"]}/{p["name"]}"));
        Assert.Equal(["A", "B"], Names(Container(afterDrop, "web")["env"]));
    }

    [Fact]
    public async Task ApplyServerSide_SameKeyDifferentValue_ConflictNamesTheItemUntilForced()
    {
        await using var sandbox = await SandboxHarness.StartAsync(fakeTime: true);
        sandbox.Control.Seed("""{"apiVersion":"v1","kind":"Namespace","metadata":{"name":"shop"}}""");
        using var kubectl = new Kubectl(sandbox.Server.BaseUri);
        await kubectl.RunAsync("apply", "--server-side", "--field-manager=team-a", "-f", kubectl.WriteFile("a.yaml", TeamA));
        var contested = kubectl.WriteFile("b.yaml", """
            apiVersion: apps/v1
            kind: Deployment
            metadata: {name: web, namespace: shop}
            spec:
              template:
                spec:
                  tolerations: [{key: dedicated, operator: Exists}]
                  containers:
                  - name: web
                    ports: [{containerPort: 8080, name: web}]
                    env: [{name: A, value: "2"}]
            """);

        var conflict = await kubectl.RunRawAsync("apply", "--server-side", "--field-manager=team-b", "-f", contested);
        var unchanged = await GetAsync(kubectl);
        var forced = await kubectl.RunRawAsync("apply", "--server-side", "--field-manager=team-b", "--force-conflicts", "-f", contested);
        var taken = await GetAsync(kubectl);
        var owners = await OwnersAsync(kubectl);

        Assert.Equal(1, conflict.ExitCode);
        Assert.StartsWith("""
            error: Apply failed with 3 conflicts: conflicts with "team-a":
            - .spec.template.spec.containers[name="web"].env[name="A"].value
            - .spec.template.spec.containers[name="web"].ports[containerPort=8080,protocol="TCP"].name
            - .spec.template.spec.tolerations
            """, conflict.StdErr.Replace("\r", "", StringComparison.Ordinal), StringComparison.Ordinal);
        Assert.Equal("1", (string?)Container(unchanged, "web")["env"]![0]!["value"]);
        Assert.Equal(0, forced.ExitCode);
        Assert.Equal("2", (string?)Container(taken, "web")["env"]![0]!["value"]);
        Assert.Equal("web", (string?)Container(taken, "web")["ports"]![0]!["name"]);
        Assert.Equal("""[{"key":"dedicated","operator":"Exists"}]""", taken["spec"]!["template"]!["spec"]!["tolerations"]!.ToJsonString());
        Assert.Contains(("team-b", """.spec.template.spec.containers[name="web"].env[name="A"].value"""), owners);
        Assert.DoesNotContain(("team-a", """.spec.template.spec.containers[name="web"].env[name="A"].value"""), owners);
        Assert.Contains(("team-a", """.spec.template.spec.containers[name="web"].image"""), owners);
    }

    [Fact]
    public async Task ApplyServerSide_StatefulSetPortWithoutKeyOrDuplicated_IsTheApiserversBadRequest()
    {
        await using var sandbox = await SandboxHarness.StartAsync(fakeTime: true);
        sandbox.Control.Seed("""{"apiVersion":"v1","kind":"Namespace","metadata":{"name":"shop"}}""");
        using var kubectl = new Kubectl(sandbox.Server.BaseUri);
        const string Db = """
            apiVersion: apps/v1
            kind: StatefulSet
            metadata: {name: db, namespace: shop}
            spec:
              serviceName: db
              selector: {matchLabels: {app: db}}
              template:
                metadata: {labels: {app: db}}
                spec:
                  containers: [{name: db, image: "db:1", PORTS}]
            """;

        var noKey = await kubectl.RunRawAsync("apply", "--server-side", "-f", kubectl.WriteFile("a.yaml", Db.Replace("PORTS", "ports: [{name: sql}]", StringComparison.Ordinal)));
        var duplicate = await kubectl.RunRawAsync("apply", "--server-side", "-f", kubectl.WriteFile("b.yaml", Db.Replace("PORTS", "ports: [{containerPort: 5432}, {containerPort: 5432, protocol: TCP}]", StringComparison.Ordinal)));
        var udpAndTcp = await kubectl.RunRawAsync("apply", "--server-side", "-f", kubectl.WriteFile("c.yaml", Db.Replace("PORTS", "ports: [{containerPort: 5432}, {containerPort: 5432, protocol: UDP}]", StringComparison.Ordinal)));

        Assert.Equal(1, noKey.ExitCode);
        Assert.Contains("""failed to create typed patch object (apps/v1, Kind=StatefulSet): .spec.template.spec.containers[name="db"].ports: element 0: associative list with keys has an element that omits key field "containerPort" (and doesn't have default value)""", noKey.StdErr, StringComparison.Ordinal);
        Assert.Equal(1, duplicate.ExitCode);
        Assert.Contains("""duplicate entries for key [containerPort=5432,protocol="TCP"]""", duplicate.StdErr, StringComparison.Ordinal);
        Assert.Equal(0, udpAndTcp.ExitCode);
    }

    [Fact]
    public async Task StrategicMergePatch_PortByContainerPort_KeepsTheOtherPorts()
    {
        await using var sandbox = await SandboxHarness.StartAsync(fakeTime: true);
        sandbox.Control.Seed("""{"apiVersion":"v1","kind":"Namespace","metadata":{"name":"shop"}}""");
        using var kubectl = new Kubectl(sandbox.Server.BaseUri);
        await kubectl.RunAsync("apply", "--server-side", "--field-manager=team-a", "-f", kubectl.WriteFile("a.yaml", TeamA));
        await kubectl.RunAsync("apply", "--server-side", "--field-manager=team-b", "-f", kubectl.WriteFile("b.yaml", TeamB));

        await kubectl.RunAsync("patch", "deploy/web", "-n", "shop", "--type=strategic", "-p",
            """{"spec":{"template":{"spec":{"containers":[{"name":"web","ports":[{"containerPort":8080,"name":"admin"}],"volumeMounts":[{"mountPath":"/data","readOnly":true}]}]}}}}""");
        var web = Container(await GetAsync(kubectl), "web");

        Assert.Equal(["8080/admin", "9090/metrics"], web["ports"]!.AsArray().Select(p => $"{p!["containerPort"]}/{p["name"]}"));
        Assert.Equal(["/data:true", "/cache:"], web["volumeMounts"]!.AsArray().Select(m => $"{m!["mountPath"]}:{m["readOnly"]}"));
    }

    [Fact]
    public async Task ClientSideApply_ChangedPort_ReplacesItByContainerPort()
    {
        await using var sandbox = await SandboxHarness.StartAsync(fakeTime: true);
        sandbox.Control.Seed("""{"apiVersion":"v1","kind":"Namespace","metadata":{"name":"shop"}}""");
        using var kubectl = new Kubectl(sandbox.Server.BaseUri);

        await kubectl.RunAsync("apply", "-f", kubectl.WriteFile("a.yaml", TeamA));
        await kubectl.RunAsync("apply", "-f", kubectl.WriteFile("a2.yaml", TeamA.Replace("containerPort: 8080", "containerPort: 8081", StringComparison.Ordinal)));
        var ports = Container(await GetAsync(kubectl), "web")["ports"]!.ToJsonString();

        Assert.Equal("""[{"containerPort":8081,"name":"http","protocol":"TCP"}]""", ports);
    }

    [Fact]
    public async Task ApplyServerSide_CustomResourceListMapKeys_MergeByThemOtherListsAtomic()
    {
        await using var sandbox = await SandboxHarness.StartAsync(fakeTime: true);
        sandbox.Control.Seed("""{"apiVersion":"v1","kind":"Namespace","metadata":{"name":"shop"}}""");
        sandbox.Control.Seed(RouteCrd.With("""
            {"backends":{"type":"array","x-kubernetes-list-type":"map","x-kubernetes-list-map-keys":["host","port"],
                         "items":{"type":"object","properties":{"host":{"type":"string"},"port":{"type":"integer"},"weight":{"type":"integer"}}}},
             "hosts":{"type":"array","items":{"type":"object","properties":{"name":{"type":"string"}}}}}
            """));
        using var kubectl = new Kubectl(sandbox.Server.BaseUri);
        const string Route = """
            apiVersion: example.io/v1
            kind: Route
            metadata: {name: r, namespace: shop}
            spec:
              backends: [{host: HOST, port: 80, weight: 1}]
              hosts: [{name: HOST}]
            """;

        await kubectl.RunAsync("apply", "--server-side", "--field-manager=a", "-f", kubectl.WriteFile("a.yaml", Route.Replace("HOST", "a", StringComparison.Ordinal)));
        await kubectl.RunAsync("apply", "--server-side", "--field-manager=b", "--force-conflicts", "-f", kubectl.WriteFile("b.yaml", Route.Replace("HOST", "b", StringComparison.Ordinal)));
        var route = JsonNode.Parse((await kubectl.RunAsync("get", "route", "r", "-n", "shop", "-o", "json")).StdOut)!;

        Assert.Equal(["a:80", "b:80"], route["spec"]!["backends"]!.AsArray().Select(b => $"{b!["host"]}:{b["port"]}"));
        Assert.Equal("""[{"name":"b"}]""", route["spec"]!["hosts"]!.ToJsonString());
    }

    private static async Task<JsonNode> GetAsync(Kubectl kubectl) =>
        JsonNode.Parse((await kubectl.RunAsync("get", "deploy", "web", "-n", "shop", "-o", "json")).StdOut)!;

    private static JsonObject Container(JsonNode deployment, string name) =>
        deployment["spec"]!["template"]!["spec"]!["containers"]!.AsArray().OfType<JsonObject>().Single(c => (string?)c["name"] == name);

    private static List<string?> Names(JsonNode? list) => [.. list!.AsArray().Select(i => (string?)i!["name"])];

    // (manager, path) for every field and list item each managedFields entry owns, printed as a conflict prints it.
    private static async Task<List<(string Manager, string Path)>> OwnersAsync(Kubectl kubectl)
    {
        var json = JsonNode.Parse((await kubectl.RunAsync("get", "deploy", "web", "-n", "shop", "--show-managed-fields", "-o", "json")).StdOut)!;
        return [.. json["metadata"]!["managedFields"]!.AsArray().SelectMany(e => Paths(e!["fieldsV1"] as JsonObject, "").Select(p => ((string)e["manager"]!, p)))];
    }

    private static IEnumerable<string> Paths(JsonObject? fields, string path)
    {
        var children = fields?.Where(kv => kv.Key != ".").ToList() ?? [];
        var own = children.Count == 0 || fields!.ContainsKey(".") ? [path] : Enumerable.Empty<string>();
        return own.Concat(children.SelectMany(kv => Paths(kv.Value as JsonObject, kv.Key.StartsWith("k:", StringComparison.Ordinal)
            ? path + "[" + string.Join(',', JsonNode.Parse(kv.Key[2..])!.AsObject().Select(k => $"{k.Key}={k.Value!.ToJsonString()}")) + "]"
            : $"{path}.{kv.Key[2..]}")));
    }
}
