using k8s;
using k8s.Autorest;
using k8s.Models;
using ScaleControl.Testing.Kubernetes;

namespace ScaleControl.Sandbox.Tests.Kubernetes;

/// <summary>
/// apimachinery's ValidateDeleteOptions, as the apiserver's delete handlers run it on a body's or the query's options:
/// one 422 on DeleteOptions.meta.k8s.io naming every bad field; kubectl refuses a bad --cascade itself.
/// </summary>
public sealed class DeleteOptionsValidationTests
{
    [Fact]
    public async Task Delete_OrphanDependentsWithAPolicy_UnknownPolicy_BadDryRun_AreOne422AndDeleteNothing()
    {
        await using var sandbox = await SandboxHarness.StartAsync(fakeTime: true);
        sandbox.Control.SeedDeployment("shop", "web", 1);

        var both = await sandbox.SendAsync(HttpMethod.Delete, "apis/apps/v1/namespaces/shop/deployments/web",
            """{"orphanDependents":true,"propagationPolicy":"Background"}""");
        var all = await sandbox.SendAsync(HttpMethod.Delete, "apis/apps/v1/namespaces/shop/deployments/web",
            """{"propagationPolicy":"Sideways","dryRun":["All","Some"]}""");
        var query = await sandbox.SendAsync(HttpMethod.Delete, "apis/apps/v1/namespaces/shop/deployments/web?propagationPolicy=Sideways&orphanDependents=yes");

        Assert.Equal(422, both.Status);
        Assert.Equal("DeleteOptions.meta.k8s.io \"\" is invalid: propagationPolicy: Invalid value: \"Background\": orphanDependents and deletionPropagation cannot be both set", (string?)both.Body["message"]);
        Assert.Equal(422, all.Status);
        Assert.Equal("DeleteOptions.meta.k8s.io \"\" is invalid: [propagationPolicy: Unsupported value: \"Sideways\": supported values: \"Foreground\", \"Background\", \"Orphan\", \"nil\", dryRun: Unsupported value: []string{\"All\", \"Some\"}: supported values: \"All\"]", (string?)all.Body["message"]);
        Assert.Equal(["FieldValueNotSupported", "FieldValueNotSupported"], all.Body["details"]!["causes"]!.AsArray().Select(c => (string)c!["reason"]!));
        Assert.Equal(422, query.Status);
        Assert.Contains("orphanDependents and deletionPropagation cannot be both set", (string?)query.Body["message"], StringComparison.Ordinal);
        Assert.NotNull(sandbox.Control.Get("apps/v1", "Deployment", "shop", "web"));
    }

    [Fact]
    public async Task Client_DeleteWithOrphanDependentsAndPolicy_Gets422_KubectlRefusesABadCascadeItself()
    {
        await using var sandbox = await SandboxHarness.StartAsync(fakeTime: true);
        sandbox.Control.SeedDeployment("shop", "web", 1);
        using var kubectl = new Kubectl(sandbox.Server.BaseUri);

        var refused = await Assert.ThrowsAsync<HttpOperationException>(() => sandbox.Client.AppsV1.DeleteNamespacedDeploymentAsync(
            "web", "shop", new V1DeleteOptions { OrphanDependents = false, PropagationPolicy = "Foreground" }));
        var cascade = await kubectl.RunRawAsync("delete", "deploy", "web", "-n", "shop", "--cascade=sideways");
        var orphaned = await kubectl.RunAsync("delete", "deploy", "web", "-n", "shop", "--cascade=orphan");

        Assert.Equal(System.Net.HttpStatusCode.UnprocessableEntity, refused.Response.StatusCode);
        Assert.Contains("propagationPolicy: Invalid value: \\\"Foreground\\\": orphanDependents and deletionPropagation cannot be both set", refused.Response.Content, StringComparison.Ordinal);
        Assert.NotEqual(0, cascade.ExitCode);
        Assert.Contains("invalid cascade value (sideways)", cascade.StdErr, StringComparison.Ordinal);
        Assert.Equal(0, orphaned.ExitCode);
        Assert.Null(sandbox.Control.Get("apps/v1", "Deployment", "shop", "web"));
    }
}
