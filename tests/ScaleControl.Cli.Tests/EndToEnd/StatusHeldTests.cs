namespace ScaleControl.Cli.Tests.EndToEnd;

/// <summary>
/// <c>scalectl status</c> after someone rejected or undid a change: DESIRED is above CURRENT and nothing is asked, and
/// the server's <c>held</c> says why. That sentence ends the reason, which the table cuts at 70 characters, so the
/// table read "Active" with no hint; the chat and the dashboard said it. Now STATE says Held and the words come under
/// the table.
/// </summary>
public sealed class StatusHeldTests
{
    private const string Held =
        "held after zhangsan rejected 16 → 25: no new proposal until 09:31 UTC unless more than 27 replicas are needed; " +
        "an approver (zhangsan, lisi) can lift it with scalectl scale";

    private const string Status = $$"""
        {
          "mode": "sandbox", "identity": "vm", "isLeader": true, "lastTick": "2026-12-07T09:03:00Z",
          "policies": [
            { "namespace": "shop", "name": "checkout-api", "target": { "kind": "Deployment", "name": "checkout-api" }, "mode": "Approval",
              "currentReplicas": 16, "readyReplicas": 16, "desiredReplicas": 26,
              "metrics": [ { "name": "qps", "value": 837, "status": "Ok", "target": 40, "targetType": "PerReplica" } ],
              "lastReason": "qps 837, rising 11.4/s (trend reversed, no prediction); 40/pod -> 21, +20% headroom -> 26; {{Held}}",
              "held": "{{Held}}" },
            { "namespace": "video", "name": "video-transcoder", "target": { "kind": "StatefulSet", "name": "video-transcoder" }, "mode": "Auto",
              "currentReplicas": 9, "readyReplicas": 9, "desiredReplicas": 9, "metrics": [], "lastReason": "stay at 9" }
          ]
        }
        """;

    [Fact]
    public async Task Status_ADecisionHeldByAReject_SaysHeldAndWhyUnderTheTable()
    {
        await using var api = await CannedApi.StartAsync("GET", "/api/v1/status", Status);

        var result = await api.Cli.RunAsync("status");

        Assert.True(result.ExitCode == 0, result.ToString());
        var row = Assert.Single(result.Lines, l => l.StartsWith("shop ", StringComparison.Ordinal));
        Assert.Contains(" Held ", row, StringComparison.Ordinal);
        Assert.DoesNotContain(" Held ", Assert.Single(result.Lines, l => l.StartsWith("video ", StringComparison.Ordinal)), StringComparison.Ordinal);
        var section = result.Lines.SkipWhile(l => l != "HELD").ToList();
        Assert.True(section.Count > 1, result.ToString());
        Assert.StartsWith("shop/checkout-api", section[1], StringComparison.Ordinal);
        var words = string.Join(" ", section.Skip(1).Select(l => l.Trim()));
        Assert.Contains("held after zhangsan rejected 16 → 25", words, StringComparison.Ordinal);
        Assert.Contains("can lift it with scalectl scale", words, StringComparison.Ordinal);
        Assert.All(section, l => Assert.True(l.Length <= 100, l));
    }
}
