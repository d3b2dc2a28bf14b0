using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;

namespace ScaleControl.Cli.Tests.EndToEnd;

/// <summary>
/// A partly approved proposal (the target rose after the approver looked): its applied part keeps its own approvals in
/// <c>status.appliedSteps</c> while <c>status.approvals</c> starts empty for the rest, and <c>scalectl describe</c> must
/// still say who approved what was applied. The real binary reads the answer over HTTP, as the server gives it.
/// </summary>
public sealed class DescribePartialApprovalTests
{
    private const string PartlyApproved = """
        {
          "metadata": { "name": "checkout-api-up", "namespace": "shop", "creationTimestamp": "2026-12-05T14:00:00Z" },
          "spec": { "policyName": "checkout-api", "target": { "kind": "Deployment", "name": "checkout-api" },
                    "fromReplicas": 3, "toReplicas": 6, "reason": "traffic rising", "requestedBy": "scalecontrol" },
          "status": {
            "phase": "Pending",
            "approvals": [],
            "appliedSteps": [ { "from": 2, "to": 3, "at": "2026-12-05T14:01:10Z",
                                "approvals": [ { "user": "lisi", "channel": "dingtalk", "at": "2026-12-05T14:01:09Z", "replicas": 3 } ] } ],
            "history": []
          }
        }
        """;

    [Fact]
    public async Task DescribeProposal_PartlyApproved_NamesWhoApprovedTheAppliedPart()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        await using var app = builder.Build();
        app.MapGet("/api/v1/proposals/shop/checkout-api-up", () => Results.Text(PartlyApproved, "application/json"));
        await app.StartAsync();

        var result = await new Scalectl(app.Urls.Single(), "token").RunAsync("describe", "proposal", "shop/checkout-api-up");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("Applied Step:", result.Output, StringComparison.Ordinal);
        Assert.Contains("2 → 3 at 2026-12-05 14:01:10Z, approved by lisi via dingtalk", result.Output, StringComparison.Ordinal);
    }
}
