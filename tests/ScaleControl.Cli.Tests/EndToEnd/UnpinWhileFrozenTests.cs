using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;

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
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        await using var app = builder.Build();
        app.MapDelete("/api/v1/workloads/shop/checkout-api/pin", () => Results.Text(Frozen, "application/json"));
        await app.StartAsync();

        var result = await new Scalectl(app.Urls.Single(), "token").RunAsync("unpin", "shop/checkout-api");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.StartsWith("workload shop/checkout-api unpinned (policy checkout-api is still frozen until 2099-01-01 00:00:00Z, in ", result.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("decides again", result.Output, StringComparison.Ordinal);
    }
}
