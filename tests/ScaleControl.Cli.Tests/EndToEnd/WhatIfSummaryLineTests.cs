namespace ScaleControl.Cli.Tests.EndToEnd;

/// <summary>The summary line of <c>scalectl whatif</c> reads as English for one change: it printed "1 changes".</summary>
public sealed class WhatIfSummaryLineTests
{
    private const string OneChange = """
        {
          "policy": "shop/checkout-api", "from": "2026-12-07T11:40:53Z", "to": "2026-12-07T11:45:53Z",
          "steps": [
            { "time": "2026-12-07T11:40:53Z", "values": { "qps": 237 }, "currentReplicas": 7, "desiredReplicas": 7, "outcome": "None", "reason": "stay at 7" },
            { "time": "2026-12-07T11:41:08Z", "values": { "qps": 476 }, "currentReplicas": 7, "desiredReplicas": 12, "outcome": "Propose", "reason": "40/pod -> 12",
              "approval": "proposed 7 → 12, approved at 11:43:08Z" }
          ],
          "summary": { "changes": 1, "minReplicas": 7, "maxReplicas": 12, "proposals": 1, "applied": 0, "approved": 1, "expired": 0 },
          "startReplicas": 7, "approvalDelaySeconds": 120, "approvalDelaySource": "the policy's escalation time"
        }
        """;

    [Fact]
    public async Task WhatIf_OneChangeOneProposal_SaysSoInTheSingular()
    {
        await using var api = await CannedApi.StartAsync("POST", "/api/v1/policies/shop/checkout-api/whatif", OneChange);

        var result = await api.Cli.RunAsync("whatif", "shop/checkout-api", "--from", "-5m");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("would have: 1 change, replicas 7..12, 1 proposal, 0 applied automatically", result.Lines);
    }
}
