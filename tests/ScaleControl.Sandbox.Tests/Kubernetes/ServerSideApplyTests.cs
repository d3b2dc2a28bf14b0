using System.Text.Json.Nodes;
using k8s;
using k8s.Models;
using ScaleControl.Testing.Kubernetes;

namespace ScaleControl.Sandbox.Tests.Kubernetes;

/// <summary>
/// <c>kubectl apply --server-side</c> against fields other managers own: other appliers, and writers recorded as
/// operation Update (kubectl scale, create and edit, the HPA controller, ScaleControl's scale writes): a different
/// value is the apiserver's conflict until forced.
/// </summary>
public sealed class ServerSideApplyTests
{
    private const string Web = """
        apiVersion: apps/v1
        kind: Deployment
        metadata: {name: web, namespace: shop, labels: {app: web}}
        spec:
          replicas: 2
          selector: {matchLabels: {app: web}}
          template:
            metadata: {labels: {app: web}}
            spec:
              containers: [{name: web, image: "web:1"}]
        """;

    [Fact]
    public async Task ApplyServerSide_ConflictingFieldManager_ConflictUntilForcedThenOwnershipMoves()
    {
        await using var sandbox = await SandboxHarness.StartAsync(fakeTime: true);
        sandbox.Control.Seed("""{"apiVersion":"v1","kind":"Namespace","metadata":{"name":"shop"}}""");
        using var kubectl = new Kubectl(sandbox.Server.BaseUri);
        var mine = kubectl.WriteFile("web.yaml", Web);
        var theirs = kubectl.WriteFile("web3.yaml", Web.Replace("replicas: 2", "replicas: 3", StringComparison.Ordinal));
        var sameValue = kubectl.WriteFile("same.yaml", Web.Replace("image: \"web:1\"", "image: \"web:1\", imagePullPolicy: Always", StringComparison.Ordinal));

        await kubectl.RunAsync("apply", "--server-side", "-f", mine);
        var again = await kubectl.RunRawAsync("apply", "--server-side", "-f", mine);
        var conflict = await kubectl.RunRawAsync("apply", "--server-side", "--field-manager=gitops", "-f", theirs);
        var replicasAfterConflict = await kubectl.ReplicasAsync("deploy", "shop", "web");
        var coOwned = await kubectl.RunRawAsync("apply", "--server-side", "--field-manager=other", "-f", sameValue);
        var forced = await kubectl.RunRawAsync("apply", "--server-side", "--field-manager=gitops", "--force-conflicts", "-f", theirs);
        var back = await kubectl.RunRawAsync("apply", "--server-side", "-f", mine);
        var managers = JsonNode.Parse((await kubectl.RunAsync("get", "deploy", "web", "-n", "shop", "--show-managed-fields", "-o", "json")).StdOut)!["metadata"]!["managedFields"]!
            .AsArray().Select(e => ((string?)e!["manager"], (string?)e["operation"])).Order().ToList();

        Assert.Equal(0, again.ExitCode);
        Assert.Equal(1, conflict.ExitCode);
        Assert.StartsWith("error: Apply failed with 1 conflict: conflict with \"kubectl\": .spec.replicas\nPlease review the fields above--they currently have other managers.",
            conflict.StdErr, StringComparison.Ordinal);
        Assert.Equal(2, replicasAfterConflict);
        Assert.Equal(0, coOwned.ExitCode);
        Assert.Equal(0, forced.ExitCode);
        Assert.Equal(1, back.ExitCode);
        Assert.StartsWith("error: Apply failed with 1 conflict: conflict with \"gitops\": .spec.replicas", back.StdErr, StringComparison.Ordinal);
        Assert.Equal(3, await kubectl.ReplicasAsync("deploy", "shop", "web"));
        Assert.Equal([("gitops", "Apply"), ("kubectl", "Apply"), ("other", "Apply")], managers);
    }

    [Fact]
    public async Task ApplyServerSide_AfterKubectlScale_ConflictsWithTheScaleSubresourceManagerUntilForced()
    {
        await using var sandbox = await SandboxHarness.StartAsync(fakeTime: true);
        sandbox.Control.Seed("""{"apiVersion":"v1","kind":"Namespace","metadata":{"name":"shop"}}""");
        using var kubectl = new Kubectl(sandbox.Server.BaseUri);
        var manifest = kubectl.WriteFile("web.yaml", Web);

        await kubectl.RunAsync("apply", "--server-side", "-f", manifest);
        await kubectl.RunAsync("scale", "deploy/web", "-n", "shop", "--replicas=5");
        var managersAfterScale = await ManagersAsync(kubectl);
        var conflict = await kubectl.RunRawAsync("apply", "--server-side", "-f", manifest);
        var replicasAfterConflict = await kubectl.ReplicasAsync("deploy", "shop", "web");
        var forced = await kubectl.RunRawAsync("apply", "--server-side", "--force-conflicts", "-f", manifest);

        Assert.Contains(("kubectl", "Update", "scale", ".spec.replicas"), managersAfterScale);
        Assert.Equal(1, conflict.ExitCode);
        Assert.StartsWith("error: Apply failed with 1 conflict: conflict with \"kubectl\" with subresource \"scale\" using apps/v1: .spec.replicas\n",
            conflict.StdErr, StringComparison.Ordinal);
        Assert.Equal(5, replicasAfterConflict);
        Assert.Equal(0, forced.ExitCode);
        Assert.Equal(2, await kubectl.ReplicasAsync("deploy", "shop", "web"));
        Assert.DoesNotContain(await ManagersAsync(kubectl), m => m.Operation == "Update");
    }

    [Fact]
    public async Task ApplyServerSide_ReplicasTheHpaOrScaleControlSet_ConflictsWithThem()
    {
        await using var sandbox = await SandboxHarness.StartAsync(fakeTime: true);
        sandbox.Control.Seed("""{"apiVersion":"v1","kind":"Namespace","metadata":{"name":"shop"}}""");
        using var kubectl = new Kubectl(sandbox.Server.BaseUri);
        var manifest = kubectl.WriteFile("web.yaml", Web);
        await kubectl.RunAsync("apply", "--server-side", "-f", manifest);

        // The HPA controller raises replicas to its minimum through the scale subresource.
        await kubectl.RunAsync("autoscale", "deploy/web", "-n", "shop", "--min=4", "--max=8");
        sandbox.Control.ReconcileNow();
        var afterHpa = await kubectl.RunRawAsync("apply", "--server-side", "-f", manifest);
        await kubectl.RunAsync("delete", "hpa", "web", "-n", "shop");

        // ScaleControl writes the scale subresource with its own field manager.
        var scale = await sandbox.Client.AppsV1.ReadNamespacedDeploymentScaleAsync("web", "shop");
        scale.Spec.Replicas = 6;
        await sandbox.Client.AppsV1.ReplaceNamespacedDeploymentScaleAsync(scale, "web", "shop", fieldManager: "scalecontrol");
        var afterProduct = await kubectl.RunRawAsync("apply", "--server-side", "-f", manifest);

        Assert.Equal(1, afterHpa.ExitCode);
        Assert.StartsWith("error: Apply failed with 1 conflict: conflict with \"kube-controller-manager\" with subresource \"scale\" using apps/v1: .spec.replicas\n",
            afterHpa.StdErr, StringComparison.Ordinal);
        Assert.Equal(1, afterProduct.ExitCode);
        Assert.StartsWith("error: Apply failed with 1 conflict: conflict with \"scalecontrol\" with subresource \"scale\" using apps/v1: .spec.replicas\n",
            afterProduct.StdErr, StringComparison.Ordinal);
        Assert.Equal(6, await kubectl.ReplicasAsync("deploy", "shop", "web"));
    }

    [Fact]
    public async Task ApplyServerSide_OverKubectlCreateAndEdit_ConflictsOnlyOnTheFieldsItChanges()
    {
        await using var sandbox = await SandboxHarness.StartAsync(fakeTime: true);
        sandbox.Control.Seed("""{"apiVersion":"v1","kind":"Namespace","metadata":{"name":"shop"}}""");
        using var kubectl = new Kubectl(sandbox.Server.BaseUri);
        await kubectl.RunAsync("create", "deployment", "web", "-n", "shop", "--image=web:1", "--replicas=2");
        await kubectl.RunAsync("label", "deploy/web", "-n", "shop", "team=payments");
        var sameAsCreated = kubectl.WriteFile("same.yaml", Web);
        var newImageAndTeam = kubectl.WriteFile("new.yaml", Web
            .Replace("image: \"web:1\"", "image: \"web:2\"", StringComparison.Ordinal)
            .Replace("labels: {app: web}}", "labels: {app: web, team: search}}", StringComparison.Ordinal));

        var coOwned = await kubectl.RunRawAsync("apply", "--server-side", "--field-manager=gitops", "-f", sameAsCreated);
        var conflict = await kubectl.RunRawAsync("apply", "--server-side", "--field-manager=gitops", "-f", newImageAndTeam);
        var managers = await ManagersAsync(kubectl);

        Assert.Equal(0, coOwned.ExitCode);
        Assert.Equal(1, conflict.ExitCode);
        Assert.StartsWith("""
            error: Apply failed with 2 conflicts: conflicts with "kubectl-create" using apps/v1:
            - .spec.template.spec.containers[name="web"].image
            conflicts with "kubectl-label" using apps/v1:
            - .metadata.labels.team
            """, conflict.StdErr.Replace("\r", "", StringComparison.Ordinal), StringComparison.Ordinal);
        Assert.Contains(("kubectl-create", "Update", "", ".spec.template.spec.containers[name=\"web\"].image"), managers);
        Assert.Contains(("kubectl-create", "Update", "", ".spec.strategy.type"), managers);
        Assert.Contains(("gitops", "Apply", "", ".spec.template.spec.containers[name=\"web\"].image"), managers);
        Assert.Contains(("kubectl-label", "Update", "", ".metadata.labels.team"), managers);
    }

    [Fact]
    public async Task ApplyServerSide_FieldsLeftOutOfTheConfiguration_AreRemovedUnlessAnotherManagerOwnsThem()
    {
        await using var sandbox = await SandboxHarness.StartAsync(fakeTime: true);
        sandbox.Control.Seed("""{"apiVersion":"v1","kind":"Namespace","metadata":{"name":"shop"}}""");
        using var kubectl = new Kubectl(sandbox.Server.BaseUri);
        var before = kubectl.WriteFile("v1.yaml", """
            apiVersion: apps/v1
            kind: Deployment
            metadata: {name: web, namespace: shop, labels: {app: web, team: a}}
            spec:
              replicas: 2
              selector: {matchLabels: {app: web}}
              template:
                metadata: {labels: {app: web}}
                spec:
                  containers:
                  - {name: web, image: "web:1", env: [{name: A, value: "1"}, {name: B, value: "2"}]}
                  - {name: sidecar, image: "side:1"}
            """);
        var after = kubectl.WriteFile("v2.yaml", """
            apiVersion: apps/v1
            kind: Deployment
            metadata: {name: web, namespace: shop, labels: {app: web}}
            spec:
              replicas: 2
              selector: {matchLabels: {app: web}}
              template:
                metadata: {labels: {app: web}}
                spec:
                  containers:
                  - {name: web, image: "web:1", env: [{name: A, value: "1"}]}
            """);

        await kubectl.RunAsync("apply", "--server-side", "-f", before);
        await kubectl.RunAsync("label", "deploy/web", "-n", "shop", "owner=ops");
        await kubectl.RunAsync("apply", "--server-side", "-f", after);
        var web = JsonNode.Parse((await kubectl.RunAsync("get", "deploy", "web", "-n", "shop", "-o", "json")).StdOut)!;
        var containers = web["spec"]!["template"]!["spec"]!["containers"]!.AsArray();

        Assert.Equal("""{"app":"web","owner":"ops"}""", web["metadata"]!["labels"]!.ToJsonString());
        Assert.Equal(["web"], containers.Select(c => (string?)c!["name"]));
        Assert.Equal(["A"], containers[0]!["env"]!.AsArray().Select(e => (string?)e!["name"]));
        Assert.Equal("web:1", (string?)containers[0]!["image"]);
    }

    // (manager, operation, subresource, path) for every field each managedFields entry owns.
    private static async Task<List<(string Manager, string Operation, string Subresource, string Path)>> ManagersAsync(Kubectl kubectl)
    {
        var json = JsonNode.Parse((await kubectl.RunAsync("get", "deploy", "web", "-n", "shop", "--show-managed-fields", "-o", "json")).StdOut)!;
        return [.. (json["metadata"]!["managedFields"] as JsonArray ?? []).SelectMany(e => Paths(e!["fieldsV1"] as JsonObject, "")
            .Select(p => ((string)e["manager"]!, (string)e["operation"]!, (string?)e["subresource"] ?? "", p)))];
    }

    private static IEnumerable<string> Paths(JsonObject? fields, string path)
    {
        var children = fields?.Where(kv => kv.Key != ".").ToList() ?? [];
        return children.Count == 0
            ? [path]
            : children.SelectMany(kv => Paths(kv.Value as JsonObject, kv.Key.StartsWith("k:", StringComparison.Ordinal)
                ? $"{path}[name={JsonNode.Parse(kv.Key[2..])!["name"]!.ToJsonString()}]"
                : $"{path}.{kv.Key[2..]}"));
    }
}
