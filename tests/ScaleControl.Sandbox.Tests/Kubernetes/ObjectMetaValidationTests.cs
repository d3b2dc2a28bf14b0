using ScaleControl.Testing.Kubernetes;

namespace ScaleControl.Sandbox.Tests.Kubernetes;

/// <summary>Names, label keys and values are checked as the apiserver's ValidateObjectMeta does, with its messages.</summary>
public sealed class ObjectMetaValidationTests
{
    [Fact]
    public async Task CreateAndLabel_InvalidNamesAndLabels_RefusedWithTheApiserversMessages()
    {
        await using var sandbox = await SandboxHarness.StartAsync(fakeTime: true);
        sandbox.Control.SeedDeployment("shop", "web", 1);
        using var kubectl = new Kubectl(sandbox.Server.BaseUri);

        var deployment = await kubectl.RunRawAsync("create", "deployment", "Bad_Name", "-n", "shop", "--image=x");
        var ns = await kubectl.RunRawAsync("create", "namespace", "a.b");
        var label = await kubectl.RunRawAsync("label", "deploy", "web", "-n", "shop", "bad key!=x");
        var good = await kubectl.RunRawAsync("label", "deploy", "web", "-n", "shop", "example.com/tier=front");

        Assert.Equal((1, "error: failed to create deployment: Deployment.apps \"Bad_Name\" is invalid: metadata.name: Invalid value: \"Bad_Name\": a lowercase RFC 1123 subdomain must consist of lower case "
            + "alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is "
            + "'[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')"), (deployment.ExitCode, deployment.StdErr.Trim()));
        Assert.Equal(1, ns.ExitCode);
        Assert.StartsWith("The Namespace \"a.b\" is invalid: metadata.name: Invalid value: \"a.b\": a lowercase RFC 1123 label must consist of", ns.StdErr, StringComparison.Ordinal);
        Assert.Equal((1, "The Deployment \"web\" is invalid: metadata.labels: Invalid value: \"bad key!\": name part must consist of alphanumeric characters, '-', '_' or '.', "
            + "and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is "
            + "'([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')"), (label.ExitCode, label.StdErr.Trim()));
        Assert.Equal(0, good.ExitCode);
        Assert.Null(sandbox.Control.Get("apps/v1", "Deployment", "shop", "Bad_Name"));
        Assert.Null(sandbox.Control.Get("apps/v1", "Deployment", "shop", "web")!["metadata"]!["labels"]!["bad key!"]);
    }
}
