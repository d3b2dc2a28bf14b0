using ScaleControl.Testing.Kubernetes;
using ScaleControl.Testing.Timing;

namespace ScaleControl.Sandbox.Tests.Kubernetes;

/// <summary>
/// A write the sandbox refuses (schema violation, unknown field, a seed that fails validation) leaves every open watch
/// delivering: a refused write must not leave the store half-locked or a watch waiting on an event that never comes.
/// </summary>
public sealed class WatchAfterRejectedWriteTests
{
    private const string ValidPolicy = """
        apiVersion: scalecontrol.io/v1alpha1
        kind: ScalePolicy
        metadata: {name: NAME, namespace: shop}
        spec:
          target: {kind: Deployment, name: web}
          minReplicas: MIN
          maxReplicas: 10
          metrics:
          - name: qps
            query: sum(rate(http_requests_total[1m]))
            targetType: PerReplica
            target: 100
        """;

    [Fact]
    public async Task KubectlWatch_AfterRefusedWritesAndSeed_StillDeliversTheNextChange()
    {
        await using var sandbox = await SandboxHarness.StartAsync(fakeTime: true, installCrds: true);
        sandbox.Control.Seed("""{"apiVersion":"v1","kind":"Namespace","metadata":{"name":"shop"}}""");
        using var kubectl = new Kubectl(sandbox.Server.BaseUri);
        using var watch = kubectl.Start("get", "scalepolicies", "-n", "shop", "-w", "-o", "jsonpath={.metadata.name}={.spec.minReplicas}{\"\\n\"}");
        try
        {
            using var timeout = new CancellationTokenSource(Patience.Of(20));
            while (sandbox.Control.OpenWatches == 0)
            {
                await Task.Delay(20, timeout.Token);
            }

            var schemaViolation = await kubectl.RunRawAsync("create", "-f", kubectl.WriteFile("bad.yaml", Policy("bad", "\"two\"")));
            var unknownField = await kubectl.RunRawAsync("create", "-f", kubectl.WriteFile("unknown.yaml", Policy("unknown", "1") + "\n  bogusField: {x: 1}\n"));
            var seed = Record.Exception(() => sandbox.Control.Seed(Policy("seeded", "\"two\"")));
            await kubectl.RunAsync("create", "-f", kubectl.WriteFile("good.yaml", Policy("good", "2")));
            var delivered = await watch.StandardOutput.ReadLineAsync(timeout.Token);

            Assert.NotEqual(0, schemaViolation.ExitCode);
            Assert.Contains("spec.minReplicas", schemaViolation.StdErr, StringComparison.Ordinal);
            Assert.NotEqual(0, unknownField.ExitCode);
            Assert.Contains("unknown field \"spec.bogusField\"", unknownField.StdErr, StringComparison.Ordinal);
            Assert.NotNull(seed);
            Assert.Equal("good=2", delivered);
            Assert.Equal(["good"], sandbox.Control.List("scalecontrol.io/v1alpha1", "ScalePolicy", "shop").Select(p => p["metadata"]!["name"]!.GetValue<string>()).ToArray());
        }
        finally
        {
            watch.Kill(entireProcessTree: true);
        }
    }

    private static string Policy(string name, string minReplicas) =>
        ValidPolicy.Replace("NAME", name, StringComparison.Ordinal).Replace("MIN", minReplicas, StringComparison.Ordinal);
}
