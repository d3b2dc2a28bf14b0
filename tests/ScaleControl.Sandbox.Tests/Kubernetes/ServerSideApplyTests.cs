using System.Text.Json.Nodes;
using ScaleControl.Testing.Kubernetes;

namespace ScaleControl.Sandbox.Tests.Kubernetes;

/// <summary><c>kubectl apply --server-side</c> by two field managers: the second one's different value is a conflict until forced.</summary>
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
}
