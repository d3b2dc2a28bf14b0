namespace ScaleControl.Cli.Tests.EndToEnd;

/// <summary><c>scalectl unpin</c> of a frozen policy: the freeze still keeps the policy from changing anything, and the line says so.</summary>
public sealed class UnpinWhileFrozenTests
{
    private const string Frozen = """
        {
          "metadata": { "name": "checkout-api", "namespace": "shop" },
          "spec": { "target": { "kind": "Deployment", "name": "checkout-api" },
                    "freeze": { "until": "2099-01-01T08:00:00+08:00", "reason": "db migration", "by": "lisi" } }
        }
        """;

    [Fact]
    public async Task Unpin_PolicyStillFrozen_SaysSoInsteadOfDecidesAgain()
    {
        await using var api = await CannedApi.StartAsync("DELETE", "/api/v1/workloads/shop/checkout-api/pin", Frozen);

        var result = await api.Cli.RunAsync("unpin", "shop/checkout-api");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.StartsWith("workload shop/checkout-api unpinned (policy checkout-api is still frozen until 2099-01-01 00:00:00Z, in ", result.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("decides again", result.Output, StringComparison.Ordinal);
    }
}
