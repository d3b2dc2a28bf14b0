using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;

namespace ScaleControl.Cli.Tests.EndToEnd;

/// <summary>
/// <c>describe proposal</c>'s history names its zone, as its other times do: it printed <c>12:37:22:</c>, in whatever
/// offset the server wrote, beside <c>Created: 2026-12-06 12:37:22Z</c>.
/// </summary>
public sealed class DescribeHistoryTimesTests
{
    private const string Proposal = """
        {
          "metadata": { "name": "checkout-api-up", "namespace": "shop", "creationTimestamp": "2026-12-05T14:00:00Z" },
          "spec": { "policyName": "checkout-api", "target": { "kind": "Deployment", "name": "checkout-api" },
                    "fromReplicas": 4, "toReplicas": 10, "reason": "traffic rising", "requestedBy": "scalecontrol" },
          "status": {
            "phase": "Pending",
            "history": [ { "from": null, "to": "Pending", "at": "2026-12-05T22:00:05+08:00", "by": "scalecontrol", "message": "proposed" } ]
          }
        }
        """;

    [Fact]
    public async Task DescribeProposal_History_ShowsUtcWithItsZone()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        await using var app = builder.Build();
        app.MapGet("/api/v1/proposals/shop/checkout-api-up", () => Results.Text(Proposal, "application/json"));
        await app.StartAsync();

        var result = await new Scalectl(app.Urls.Single(), "token").RunAsync("describe", "proposal", "shop/checkout-api-up");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains(result.Lines, l => l.TrimStart().StartsWith("14:00:05Z:", StringComparison.Ordinal) && l.Contains("created Pending by scalecontrol: proposed", StringComparison.Ordinal));
    }
}
