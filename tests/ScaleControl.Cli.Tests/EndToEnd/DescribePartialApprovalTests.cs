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

    /// <summary>Approve half of 20 → 60: 20 → 40 applied; the spec's estimate is still the whole ask's.</summary>
    private const string HalfApplied = """
        {
          "metadata": { "name": "checkout-api-half", "namespace": "shop", "creationTimestamp": "2026-12-05T14:00:00Z" },
          "spec": { "policyName": "checkout-api", "target": { "kind": "Deployment", "name": "checkout-api" },
                    "fromReplicas": 20, "toReplicas": 60, "alternativeReplicas": 40, "reason": "traffic rising", "requestedBy": "scalecontrol",
                    "capacity": { "pods": 40, "changeText": "+40 pods · +20 CPU, +20 GiB · ≈ ¥56.00/h", "roomText": "room: fits (free 30 CPU on 3 nodes)" } },
          "status": {
            "phase": "Applied", "appliedReplicas": 40, "appliedAt": "2026-12-05T14:01:10Z",
            "appliedCapacity": { "pods": 20, "changeText": "+20 pods · +10 CPU, +10 GiB · ≈ ¥28.00/h" },
            "approvals": [ { "user": "lisi", "channel": "dingtalk", "at": "2026-12-05T14:01:09Z", "replicas": 40 } ],
            "history": []
          }
        }
        """;

    [Fact]
    public async Task DescribeProposal_ApprovedHalf_ShowsTheAppliedCost_AndTheAskLabelled()
    {
        await using var api = await CannedApi.StartAsync("GET", "/api/v1/proposals/shop/checkout-api-half", HalfApplied);

        var result = await api.Cli.RunAsync("describe", "proposal", "shop/checkout-api-half");

        Assert.True(result.ExitCode == 0, result.ToString());
        var lines = result.Output.Split('\n').Select(l => l.Trim()).ToList();
        Assert.Contains(lines, l => l.StartsWith("Cost:", StringComparison.Ordinal) && l.EndsWith("+20 pods · +10 CPU, +10 GiB · ≈ ¥28.00/h (applied 20 → 40)", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.StartsWith("Cost Asked:", StringComparison.Ordinal) && l.EndsWith("+40 pods · +20 CPU, +20 GiB · ≈ ¥56.00/h (20 → 60, not all applied)", StringComparison.Ordinal));
    }

    [Fact]
    public async Task DescribeProposal_PartlyApproved_NamesWhoApprovedTheAppliedPart()
    {
        await using var api = await CannedApi.StartAsync("GET", "/api/v1/proposals/shop/checkout-api-up", PartlyApproved);

        var result = await api.Cli.RunAsync("describe", "proposal", "shop/checkout-api-up");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("Applied Step:", result.Output, StringComparison.Ordinal);
        Assert.Contains("2 → 3 at 2026-12-05 14:01:10Z, approved by lisi via dingtalk", result.Output, StringComparison.Ordinal);
    }
}
