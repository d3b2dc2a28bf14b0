using ScaleControl.Testing.Kubernetes;

namespace ScaleControl.Sandbox.Tests.Kubernetes;

/// <summary><c>kubectl explain</c> reads a custom resource's schema from the OpenAPI v3 document, as on a real cluster.</summary>
public sealed class KubectlExplainTests
{
    [Fact]
    public async Task ExplainScalePolicySpec_ShowsTheCrdsFieldsAndDescriptions()
    {
        await using var sandbox = await SandboxHarness.StartAsync(fakeTime: true, installCrds: true);
        using var kubectl = new Kubectl(sandbox.Server.BaseUri);

        var spec = await kubectl.RunAsync("explain", "scalepolicy.spec");
        var kind = await kubectl.RunAsync("explain", "sp.spec.target.kind");
        var missing = await kubectl.RunRawAsync("explain", "scalepolicy.spec.nosuchfield");

        var lines = spec.StdOut.Split('\n').Select(l => l.Trim()).ToList();
        Assert.Contains("KIND:       ScalePolicy", spec.StdOut, StringComparison.Ordinal);
        Assert.Contains("FIELD: spec <Object>", spec.StdOut, StringComparison.Ordinal);
        Assert.Contains("target\t<Object> -required-", lines);
        Assert.Contains("The workload to scale", lines);
        Assert.Contains("FIELD: kind <string>", kind.StdOut, StringComparison.Ordinal);
        Assert.Contains("Deployment or StatefulSet", kind.StdOut, StringComparison.Ordinal);
        Assert.Contains("ENUM:", kind.StdOut, StringComparison.Ordinal);
        Assert.Equal(1, missing.ExitCode);
        Assert.Contains("field \"nosuchfield\" does not exist", missing.StdErr, StringComparison.Ordinal);
    }
}
