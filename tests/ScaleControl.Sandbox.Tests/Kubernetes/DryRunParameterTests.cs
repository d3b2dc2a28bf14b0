using ScaleControl.Testing.Kubernetes;

namespace ScaleControl.Sandbox.Tests.Kubernetes;

/// <summary>
/// A <c>dryRun</c> query other than <c>All</c>, as kube-apiserver 1.32's handlers answer it: ValidateCreateOptions,
/// ValidateUpdateOptions and ValidatePatchOptions make it a 422 on their options kind, ValidateDeleteOptions (the query
/// read as DeleteOptions when no body is sent) on DeleteOptions; a read ignores it. Nothing is written.
/// Real kubectl 1.32.4 (<c>--raw</c>) and real HTTP.
/// </summary>
public sealed class DryRunParameterTests
{
    private const string ConfigMap = """{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"cfg","namespace":"shop"},"data":{"a":"2"}}""";

    [Fact]
    public async Task DryRunOtherThanAll_IsThe422OfEachVerbsOptions_AndChangesNothing()
    {
        await using var sandbox = await SandboxHarness.StartAsync(fakeTime: true);
        using var kubectl = new Kubectl(sandbox.Server.BaseUri);
        await kubectl.RunAsync("create", "namespace", "shop");
        await kubectl.RunAsync("create", "configmap", "cfg", "-n", "shop", "--from-literal=a=1");
        var file = kubectl.WriteFile("cfg.json", ConfigMap);

        var create = await kubectl.RunRawAsync("create", "--raw", "/api/v1/namespaces/shop/configmaps?dryRun=Some", "-f", file);
        var replace = await kubectl.RunRawAsync("replace", "--raw", "/api/v1/namespaces/shop/configmaps/cfg?dryRun=All&dryRun=Server", "-f", file);
        var delete = await kubectl.RunRawAsync("delete", "--raw", "/api/v1/namespaces/shop/configmaps/cfg?dryRun=true");
        var patch = await sandbox.SendAsync(HttpMethod.Patch, "api/v1/namespaces/shop/configmaps/cfg?dryRun=", """{"data":{"a":"3"}}""", "application/merge-patch+json");
        var read = await kubectl.RunRawAsync("get", "--raw", "/api/v1/namespaces/shop/configmaps/cfg?dryRun=Some");
        var value = (await kubectl.RunAsync("get", "configmap", "cfg", "-n", "shop", "-o", "jsonpath={.data.a}")).StdOut;

        Assert.Equal(1, create.ExitCode);
        Assert.Equal("The CreateOptions \"\" is invalid: dryRun: Unsupported value: []string{\"Some\"}: supported values: \"All\"\n", create.StdErr);
        Assert.Equal(1, replace.ExitCode);
        Assert.Equal("The UpdateOptions \"\" is invalid: dryRun: Unsupported value: []string{\"All\", \"Server\"}: supported values: \"All\"\n", replace.StdErr);
        Assert.Equal(1, delete.ExitCode);
        Assert.Equal("The DeleteOptions \"\" is invalid: dryRun: Unsupported value: []string{\"true\"}: supported values: \"All\"\n", delete.StdErr);
        Assert.Equal(422, patch.Status);
        Assert.Equal("PatchOptions.meta.k8s.io \"\" is invalid: dryRun: Unsupported value: []string{\"\"}: supported values: \"All\"", (string?)patch.Body["message"]);
        Assert.Equal("dryRun", (string?)patch.Body["details"]!["causes"]![0]!["field"]);
        Assert.Equal(0, read.ExitCode);
        Assert.Equal("1", value);
    }
}
