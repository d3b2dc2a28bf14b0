namespace ScaleControl.Cli.Tests.EndToEnd;

/// <summary>
/// <c>scalectl describe policy</c> says what an expected event's multiple was applied to and where that came from: a
/// forecast of the traffic at <c>at</c> (the sandbox keeps 2 h of metrics, so only a canned answer has one).
/// </summary>
public sealed class DescribeExpectedEventTests
{
    private const string Policy = """
        {
          "metadata": { "name": "checkout-api", "namespace": "shop" },
          "spec": {
            "target": { "kind": "Deployment", "name": "checkout-api" },
            "metrics": [ { "name": "qps", "query": "sum(rate(http_requests_total[1m]))", "targetType": "PerReplica", "target": 100 } ],
            "minReplicas": 2, "maxReplicas": 100, "mode": "Approval",
            "expectedEvents": [
              { "name": "push", "at": "2099-12-04T20:00:00Z", "durationSeconds": 1200, "leadSeconds": 390, "replicas": 60,
                "multiplier": 3, "baseReplicas": 20, "baseSource": "the demand 1 day before, at 2099-12-03 20:00Z; 12 running now",
                "reason": "push to 30M users", "by": "zhangsan", "channel": "Cli" },
              { "name": "older", "at": "2099-12-05T20:00:00Z", "durationSeconds": 600, "replicas": 36, "multiplier": 3, "baseReplicas": 12,
                "reason": "recorded before the base had a source", "by": "lisi", "channel": "Api" },
              { "name": "capped", "at": "2099-12-06T20:00:00Z", "durationSeconds": 600, "replicas": 40, "multiplier": 3, "baseReplicas": 15,
                "baseSource": "15 running now; no forecast: no data for that time 1 or 7 days before",
                "reason": "more than maxReplicas", "by": "zhangsan", "channel": "Cli" }
            ]
          }
        }
        """;

    [Fact]
    public async Task DescribePolicy_ExpectedEventSizedFromAForecast_ShowsTheBaseAndWhereItCameFrom()
    {
        await using var api = await CannedApi.StartAsync("GET", "/api/v1/policies/shop/checkout-api", Policy);

        var result = await api.Cli.RunAsync("describe", "policy", "shop/checkout-api");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains(result.Lines, l => l.TrimStart().StartsWith("push:", StringComparison.Ordinal) && l.Contains(
            "60 replicas (3x of 20: the demand 1 day before, at 2099-12-03 20:00Z; 12 running now) from 2099-12-04 19:53:30Z", StringComparison.Ordinal));
        Assert.Contains(result.Lines, l => l.TrimStart().StartsWith("older:", StringComparison.Ordinal) && l.Contains("36 replicas (3x of 12) from", StringComparison.Ordinal));
    }

    [Fact]
    public async Task DescribePolicy_ExpectedEventCappedByMaxReplicas_SaysSoAsThePrepareLineDid()
    {
        // Seen live: prepare said "floor 40 replicas (3x of 15: …; capped by maxReplicas from 45)", describe "40 replicas (3x of 15: …)".
        await using var api = await CannedApi.StartAsync("GET", "/api/v1/policies/shop/checkout-api", Policy);

        var result = await api.Cli.RunAsync("describe", "policy", "shop/checkout-api");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains(result.Lines, l => l.TrimStart().StartsWith("capped:", StringComparison.Ordinal) && l.Contains(
            "40 replicas (3x of 15: 15 running now; no forecast: no data for that time 1 or 7 days before; capped by maxReplicas from 45) from", StringComparison.Ordinal));
    }
}
