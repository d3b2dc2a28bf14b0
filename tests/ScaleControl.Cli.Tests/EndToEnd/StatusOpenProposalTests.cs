namespace ScaleControl.Cli.Tests.EndToEnd;

/// <summary>
/// <c>scalectl status</c> while a card waits: DESIRED is the last decision, which a card not yet amended trails; the
/// STATE names the proposal and what approving it gives, so "DESIRED 26" is not read as what the approve will do.
/// </summary>
public sealed class StatusOpenProposalTests
{
    private const string Status = """
        {
          "mode": "sandbox", "identity": "vm", "isLeader": true, "lastTick": "2026-12-07T09:01:00Z",
          "policies": [
            { "namespace": "shop", "name": "checkout-api", "target": { "kind": "Deployment", "name": "checkout-api" }, "mode": "Approval",
              "currentReplicas": 16, "readyReplicas": 16, "desiredReplicas": 26, "metrics": [],
              "lastReason": "qps 843; 40/pod -> 22, +20% headroom -> 26",
              "openProposal": "checkout-api-20261207-090054-bd9e", "openProposalTo": 25 }
          ]
        }
        """;

    [Fact]
    public async Task Status_AnOpenProposal_SaysWhatItAsks()
    {
        await using var api = await CannedApi.StartAsync("GET", "/api/v1/status", Status);

        var result = await api.Cli.RunAsync("status");

        Assert.True(result.ExitCode == 0, result.ToString());
        var row = Assert.Single(result.Lines, l => l.StartsWith("shop ", StringComparison.Ordinal));
        Assert.Contains("Proposal checkout-api-20261207-090054-bd9e (asks 25)", row, StringComparison.Ordinal);
    }
}
