namespace ScaleControl.Cli.Tests.EndToEnd;

/// <summary>
/// An applied change whose Undo was withdrawn (the workload moved on): <c>scalectl describe</c> says why in the words the
/// card uses (<c>status.undoWithdrawn.message</c>). The real binary reads the answer over HTTP, as the server gives it.
/// </summary>
public sealed class DescribeUndoTests
{
    private const string UndoWithdrawn = """
        {
          "metadata": { "name": "checkout-api-up", "namespace": "shop", "creationTimestamp": "2026-12-05T14:00:00Z" },
          "spec": { "policyName": "checkout-api", "target": { "kind": "Deployment", "name": "checkout-api" },
                    "fromReplicas": 4, "toReplicas": 10, "reason": "traffic rising", "requestedBy": "scalecontrol" },
          "status": {
            "phase": "Applied", "appliedReplicas": 10, "appliedAt": "2026-12-05T14:01:10Z",
            "message": "undo no longer offered: shop/checkout-api moved to 12 by a pin by lisi at 14:15:00 UTC",
            "undoWithdrawn": { "cause": "NewerChange", "at": "2026-12-05T14:15:00Z", "replicas": 12, "proposal": "checkout-api-pin", "action": "pin",
                               "by": ["lisi"], "message": "shop/checkout-api moved to 12 by a pin by lisi at 14:15:00 UTC" },
            "history": []
          }
        }
        """;

    [Fact]
    public async Task DescribeProposal_UndoWithdrawn_SaysWhyAsTheCardDoes()
    {
        await using var api = await CannedApi.StartAsync("GET", "/api/v1/proposals/shop/checkout-api-up", UndoWithdrawn);

        var result = await api.Cli.RunAsync("describe", "proposal", "shop/checkout-api-up");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("Undo:", result.Output, StringComparison.Ordinal);
        Assert.Contains("no longer offered: shop/checkout-api moved to 12 by a pin by lisi at 14:15:00 UTC", result.Output, StringComparison.Ordinal);
    }
}
