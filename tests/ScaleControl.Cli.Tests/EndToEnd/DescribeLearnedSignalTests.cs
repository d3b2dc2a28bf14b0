namespace ScaleControl.Cli.Tests.EndToEnd;

/// <summary>
/// <c>scalectl describe policy</c> shows what the leading signal learned of its conversion (<c>status.leadingSignal</c>),
/// and that it is not used when it was learned for another conversion.
/// </summary>
public sealed class DescribeLearnedSignalTests
{
    private static string Policy(double learnedFor) => $$"""
        {
          "metadata": { "name": "checkout-api", "namespace": "shop" },
          "spec": {
            "target": { "kind": "Deployment", "name": "checkout-api" },
            "metrics": [ { "name": "qps", "query": "sum(rate(http_requests_total[1m]))", "targetType": "PerReplica", "target": 100 } ],
            "minReplicas": 2, "maxReplicas": 100,
            "leadingSignal": { "name": "push", "query": "sum(rate(push_sent_total[1m]))", "requestsPerUnit": 0.1, "leadSeconds": 90, "holdSeconds": 600, "headroom": 0.1 }
          },
          "status": {
            "leadingSignal": { "learnedFactor": 1.1662, "events": 2, "lastEventAt": "2020-01-01T00:00:00Z", "lastEventFactor": 1.04,
              "name": "push", "query": "sum(rate(push_sent_total[1m]))", "requestsPerUnit": {{learnedFor}} }
          }
        }
        """;

    [Fact]
    public async Task DescribePolicy_ConversionLearned_ShowsTheFactorEventsAndTheConversionItGives()
    {
        await using var api = await CannedApi.StartAsync("GET", "/api/v1/policies/shop/checkout-api", Policy(0.1));

        var result = await api.Cli.RunAsync("describe", "policy", "shop/checkout-api");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains(result.Lines, l => l.TrimStart().StartsWith("Learned:", StringComparison.Ordinal)
            && l.Contains("x1.17 over 2 events (0.1166 per unit), last ", StringComparison.Ordinal) && l.EndsWith(" ago at x1.04", StringComparison.Ordinal));
    }

    [Fact]
    public async Task DescribePolicy_LearnedForAnotherConversion_SaysItStartsAgain()
    {
        await using var api = await CannedApi.StartAsync("GET", "/api/v1/policies/shop/checkout-api", Policy(0.05));

        var result = await api.Cli.RunAsync("describe", "policy", "shop/checkout-api");

        Assert.Contains(result.Lines, l => l.TrimStart().StartsWith("Learned:", StringComparison.Ordinal)
            && l.Contains("nothing for this conversion (x1.17 was learned for 0.05 per unit; starts again)", StringComparison.Ordinal));
    }
}
