namespace ScaleControl.Cli.Tests.EndToEnd;

/// <summary>
/// <c>scalectl describe</c> writes every time in UTC with its "Z", whatever offset the answer carries and whatever the
/// terminal's zone: a proposal's history lines were a bare <c>22:01:10</c>, read as local time by everyone.
/// </summary>
public sealed class DescribeTimesTests
{
    // Times with an offset other than UTC, as any RFC 3339 writer may send them: 22:01:10+08:00 is 14:01:10Z.
    private const string Applied = """
        {
          "metadata": { "name": "checkout-api-up", "namespace": "shop", "creationTimestamp": "2026-12-05T22:00:00+08:00" },
          "spec": { "policyName": "checkout-api", "target": { "kind": "Deployment", "name": "checkout-api" },
                    "fromReplicas": 4, "toReplicas": 10, "reason": "traffic rising", "requestedBy": "scalecontrol" },
          "status": {
            "phase": "Applied", "appliedReplicas": 10, "appliedAt": "2026-12-05T22:01:10+08:00",
            "history": [ { "at": "2026-12-05T22:01:10+08:00", "from": "Approved", "to": "Applied", "by": "zhangsan", "message": "applied 4 → 10" } ]
          }
        }
        """;

    [Fact]
    public async Task DescribeProposal_TimesWithAnOffset_WrittenInUtcWithZ()
    {
        await using var api = await CannedApi.StartAsync("GET", "/api/v1/proposals/shop/checkout-api-up", Applied);

        var result = await api.Cli.RunAsync("describe", "proposal", "shop/checkout-api-up");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("10 replicas at 2026-12-05 14:01:10Z", result.Output, StringComparison.Ordinal);
        Assert.Contains(result.Lines, l => l.TrimStart().StartsWith("14:01:10Z:", StringComparison.Ordinal) && l.Contains("Approved → Applied by zhangsan: applied 4 → 10", StringComparison.Ordinal));
        Assert.DoesNotContain("22:01", result.Output, StringComparison.Ordinal);
    }
}
