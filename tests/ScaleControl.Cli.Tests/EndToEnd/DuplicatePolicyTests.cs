namespace ScaleControl.Cli.Tests.EndToEnd;

/// <summary>
/// One workload, one policy: scalectl refuses a second policy for a workload, and one written with kubectl past the
/// API is held by the control loop, shown as held by <c>get</c> and explained by <c>describe</c>.
/// </summary>
[Collection(CliSandboxCollection.Name)]
public sealed class DuplicatePolicyTests(CliSandbox server)
{
    [Fact]
    public async Task PolicyApply_SecondPolicyForOneWorkload_RefusedNamingTheOwner_NothingStored()
    {
        var path = Write("two-for-orders.yaml", Policy("cli-dup-first", "dup-orders") + "---\n" + Policy("cli-dup-second", "dup-orders"));

        var apply = await server.Cli().RunAsync("policy", "apply", "-f", path);
        var get = await server.Cli().RunAsync("get", "policies", "clitest/cli-dup-second");

        Assert.True(apply.ExitCode == 1, apply.ToString());
        Assert.Matches("scalepolicy clitest/cli-dup-first (created|unchanged)", apply.Output);
        Assert.Contains("Deployment clitest/dup-orders is already controlled by ScalePolicy clitest/cli-dup-first", apply.Error, StringComparison.Ordinal);
        Assert.Equal(1, get.ExitCode);
    }

    [Fact]
    public async Task KubectlApply_SecondPolicyForOneWorkload_HeldByTheLoop_GetAndDescribeSayWhoOwnsIt()
    {
        var first = await server.Cli().RunAsync("policy", "apply", "-f", Write("owner.yaml", Policy("cli-kdup-first", "kdup-orders")));
        var second = await server.KubectlAsync("apply", "-f", Write("second.yaml", Policy("cli-kdup-second", "kdup-orders")));

        Assert.True(first.ExitCode == 0, first.ToString());
        Assert.True(second.ExitCode == 0, second.StdErr);
        var row = await CliSandbox.EventuallyAsync(async () =>
            (await server.Cli().RunAsync("get", "policies", "clitest/cli-kdup-second")).Lines.FirstOrDefault(l => l.Contains("Held (TargetConflict)", StringComparison.Ordinal)),
            TimeSpan.FromSeconds(30), "the loop to hold the second policy");
        var describe = await server.Cli().RunAsync("describe", "policy", "clitest/cli-kdup-second");
        var owner = await server.Cli().RunAsync("get", "policies", "clitest/cli-kdup-first");

        Assert.StartsWith("cli-kdup-second ", row, StringComparison.Ordinal);
        Assert.Contains("Condition TargetConflict", describe.Output, StringComparison.Ordinal);
        Assert.Contains("Deployment clitest/kdup-orders is controlled by ScalePolicy clitest/cli-kdup-first", describe.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("Held", owner.Output, StringComparison.Ordinal);
    }

    private static string Policy(string name, string workload) => $$"""
        apiVersion: scalecontrol.io/v1alpha1
        kind: ScalePolicy
        metadata:
          name: {{name}}
          namespace: clitest
        spec:
          target: {kind: Deployment, name: {{workload}}}
          metrics:
            - name: qps
              query: sum(rate(http_requests_total{service="{{workload}}"}[1m]))
              target: 200
          minReplicas: 2
          maxReplicas: 20

        """;

    private static string Write(string name, string yaml)
    {
        var path = Path.Combine(Directory.CreateTempSubdirectory("scalectl-dup-").FullName, name);
        File.WriteAllText(path, yaml);
        return path;
    }
}
