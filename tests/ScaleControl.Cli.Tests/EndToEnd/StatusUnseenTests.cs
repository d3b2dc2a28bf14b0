namespace ScaleControl.Cli.Tests.EndToEnd;

/// <summary>
/// <c>scalectl status</c> while DingTalk throttles every card (storm walkthrough, DingTalk degraded): the table showed
/// the open proposals as if the group had them, and nothing said that nobody had seen them. Now the server lists them
/// and the CLI prints them under the table, in the server's words, with how to decide them.
/// </summary>
public sealed class StatusUnseenTests
{
    private const string Line =
        "4 → 24 (checkout-api-20261207-235803-37b0), expires 2026-12-08 00:08:03Z: its card was not delivered (DingTalk API error 403 " +
        "Forbidden.AccessDenied.QpsLimitForAppkeyAndApi); decide with scalectl approve|reject shop/checkout-api-20261207-235803-37b0";

    private const string Status = $$"""
        {
          "mode": "sandbox", "identity": "vm", "isLeader": true, "lastTick": "2026-12-07T23:59:00Z",
          "policies": [
            { "namespace": "shop", "name": "checkout-api", "target": { "kind": "Deployment", "name": "checkout-api" }, "mode": "Approval",
              "currentReplicas": 4, "readyReplicas": 4, "desiredReplicas": 24, "metrics": [], "lastReason": "qps 785",
              "openProposal": "checkout-api-20261207-235803-37b0", "openProposalTo": 24 }
          ],
          "unseen": [
            { "namespace": "shop", "name": "checkout-api-20261207-235803-37b0", "workload": "shop/checkout-api", "line": "{{Line}}" }
          ]
        }
        """;

    [Fact]
    public async Task Status_ACardDingTalkDidNotDeliver_ListedUnderTheTableWithHowToDecide()
    {
        await using var api = await CannedApi.StartAsync("GET", "/api/v1/status", Status);

        var result = await api.Cli.RunAsync("status");

        Assert.True(result.ExitCode == 0, result.ToString());
        var section = result.Lines.SkipWhile(l => !l.StartsWith("NOT SEEN", StringComparison.Ordinal)).ToList();
        Assert.True(section.Count > 1, result.ToString());
        Assert.StartsWith("shop/checkout-api", section[1], StringComparison.Ordinal);
        var words = string.Join(" ", section.Skip(1).Select(l => l.Trim()));
        Assert.Contains("its card was not delivered (DingTalk API error 403", words, StringComparison.Ordinal);
        Assert.Contains("scalectl approve|reject shop/checkout-api-20261207-235803-37b0", words, StringComparison.Ordinal);
        Assert.All(section, l => Assert.True(l.Length <= 100, l));

        var otherNamespace = await api.Cli.RunAsync("status", "-n", "feed");
        Assert.DoesNotContain(otherNamespace.Lines, l => l.StartsWith("NOT SEEN", StringComparison.Ordinal));
    }
}
