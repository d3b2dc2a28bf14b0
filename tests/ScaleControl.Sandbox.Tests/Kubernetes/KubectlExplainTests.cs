using ScaleControl.Testing.Kubernetes;

namespace ScaleControl.Sandbox.Tests.Kubernetes;

/// <summary><c>kubectl explain</c> reads a kind's schema from the OpenAPI v3 document, as on a real cluster: custom resources' and built-in kinds'.</summary>
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

    [Fact]
    public async Task ExplainCustomResource_ShowsTypeMetasDescriptionsAndObjectMetasFields_AsTheApiextensionsServerPublishesThem()
    {
        await using var sandbox = await SandboxHarness.StartAsync(fakeTime: true, installCrds: true);
        using var kubectl = new Kubectl(sandbox.Server.BaseUri);

        var proposal = await kubectl.RunAsync("explain", "scaleproposal");
        var metadata = await kubectl.RunAsync("explain", "scalepolicy.metadata");
        var labels = await kubectl.RunAsync("explain", "sp.metadata.labels");

        var lines = proposal.StdOut.Split('\n').Select(l => l.Trim()).ToList();
        Assert.Contains("APIVersion defines the versioned schema of this representation of an object.", lines);
        Assert.Contains("Kind is a string value representing the REST resource this object", lines);
        Assert.Contains("metadata\t<ObjectMeta>", lines);
        Assert.DoesNotContain("<no description>", lines.Take(lines.IndexOf("metadata\t<ObjectMeta>")));
        Assert.Contains("FIELD: metadata <ObjectMeta>", metadata.StdOut, StringComparison.Ordinal);
        Assert.Contains("generateName\t<string>", metadata.StdOut, StringComparison.Ordinal);
        Assert.Contains("FIELD: labels <map[string]string>", labels.StdOut, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ExplainBuiltInKinds_ShowsTheirFieldsTypesAndTheApiserversDescriptions()
    {
        await using var sandbox = await SandboxHarness.StartAsync(fakeTime: true);
        using var kubectl = new Kubectl(sandbox.Server.BaseUri);

        var deployment = await kubectl.RunAsync("explain", "deployment");
        var strategy = await kubectl.RunAsync("explain", "deploy.spec.strategy");
        var limits = await kubectl.RunAsync("explain", "deployment.spec.template.spec.containers.resources.limits");
        var hpa = await kubectl.RunAsync("explain", "hpa.spec");
        var partition = await kubectl.RunAsync("explain", "statefulsets.spec.updateStrategy.rollingUpdate.partition");
        var recursive = await kubectl.RunAsync("explain", "deployment.spec.template.spec.containers", "--recursive");
        var missing = await kubectl.RunRawAsync("explain", "deployment.spec.replicaz");

        Assert.StartsWith("GROUP:      apps\nKIND:       Deployment\nVERSION:    v1\n", deployment.StdOut, StringComparison.Ordinal);
        Assert.Contains("Deployment enables declarative updates for Pods and ReplicaSets.", deployment.StdOut, StringComparison.Ordinal);
        Assert.Contains("  spec\t<DeploymentSpec>\n    Specification of the desired behavior of the Deployment.", deployment.StdOut, StringComparison.Ordinal);
        Assert.Contains("FIELD: strategy <DeploymentStrategy>", strategy.StdOut, StringComparison.Ordinal);
        Assert.Contains("  rollingUpdate\t<RollingUpdateDeployment>", strategy.StdOut, StringComparison.Ordinal);
        Assert.Contains("FIELD: limits <map[string]Quantity>", limits.StdOut, StringComparison.Ordinal);
        Assert.Contains("  maxReplicas\t<integer> -required-", hpa.StdOut, StringComparison.Ordinal);
        Assert.Contains("  metrics\t<[]MetricSpec>", hpa.StdOut, StringComparison.Ordinal);
        Assert.Contains("Partition indicates the ordinal at which the StatefulSet should be", partition.StdOut, StringComparison.Ordinal);
        Assert.Contains("FIELD: containers <[]Container>", recursive.StdOut, StringComparison.Ordinal);
        Assert.Contains("    containerPort\t<integer> -required-", recursive.StdOut, StringComparison.Ordinal);
        Assert.Equal(1, missing.ExitCode);
        Assert.Contains("field \"replicaz\" does not exist", missing.StdErr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ExplainIntOrStringFields_NamesThemIntOrString_AsTheApiserversSchemaDoes()
    {
        await using var sandbox = await SandboxHarness.StartAsync(fakeTime: true);
        using var kubectl = new Kubectl(sandbox.Server.BaseUri);

        var maxSurge = await kubectl.RunAsync("explain", "deploy.spec.strategy.rollingUpdate.maxSurge");
        var budget = await kubectl.RunAsync("explain", "pdb.spec");
        var targetPort = await kubectl.RunAsync("explain", "svc.spec.ports.targetPort");

        Assert.Contains("FIELD: maxSurge <IntOrString>", maxSurge.StdOut, StringComparison.Ordinal);
        Assert.Contains("The maximum number of pods that can be scheduled above the desired number", maxSurge.StdOut, StringComparison.Ordinal);
        Assert.Contains("  minAvailable\t<IntOrString>", budget.StdOut, StringComparison.Ordinal);
        Assert.Contains("  maxUnavailable\t<IntOrString>", budget.StdOut, StringComparison.Ordinal);
        Assert.Contains("FIELD: targetPort <IntOrString>", targetPort.StdOut, StringComparison.Ordinal);
    }
}
