using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using ScaleControl.EndToEnd.Tests.Infrastructure;
using ScaleControl.Testing.Server;

namespace ScaleControl.EndToEnd.Tests;

/// <summary>
/// The sandbox cluster refuses creates in namespaces that do not exist, as a real one does (apply creates none), and
/// the product (as the chart's ServiceAccount) answers a policy for such a namespace with a 422 naming
/// <c>metadata.namespace</c>, storing nothing.
/// </summary>
public sealed class MissingNamespaceTests
{
    [Fact]
    public async Task PolicyAndKubectlApply_IntoAMissingNamespace_AreRefusedClearly_UntilItIsCreated()
    {
        await using var sandbox = await ProductOnCluster.StartAsync(Fast.Settings());
        var policy = JsonNode.Parse((await sandbox.GetJson("/api/v1/policies/shop/checkout-api", SandboxServer.AdminToken)).GetRawText())!.AsObject();
        policy["metadata"] = new JsonObject { ["name"] = "checkout-api", ["namespace"] = "newteam" };
        policy.Remove("status");
        using var admin = sandbox.Client(SandboxServer.AdminToken);

        using var refused = await admin.PutAsJsonAsync("/api/v1/policies/newteam/checkout-api", policy);
        var problem = await refused.Content.ReadFromJsonAsync<JsonObject>();
        var apply = await sandbox.Kubectl.RunRawAsync("create", "configmap", "settings", "-n", "newteam", "--from-literal=a=b");
        var stored = await sandbox.Kubectl.RunRawAsync("get", "scalepolicies", "-n", "newteam", "-o", "name");
        await sandbox.Kubectl.RunAsync("create", "namespace", "newteam");
        using var created = await admin.PutAsJsonAsync("/api/v1/policies/newteam/checkout-api", policy);

        Assert.Equal(HttpStatusCode.UnprocessableEntity, refused.StatusCode);
        Assert.Equal(
            "namespace \"newteam\" does not exist in the cluster; create it first (kubectl create namespace newteam)",
            (string?)problem!["errors"]!["metadata.namespace"]![0]);
        Assert.Equal("error: failed to create configmap: namespaces \"newteam\" not found", apply.StdErr.Trim());
        Assert.Equal("", stored.StdOut.Trim());
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
    }
}
