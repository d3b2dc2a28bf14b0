namespace ScaleControl.Cli.Tests.EndToEnd;

/// <summary>
/// <c>scalectl status</c>'s METRICS column: policies name no unit, so a bare <c>p99=4.54</c> says nothing of whether that
/// is a lot; each value shows with its target per replica (or per-pod average), as the server sends it.
/// </summary>
public sealed class StatusMetricTargetTests
{
    private const string Status = """
        {
          "mode": "cluster", "identity": "scalecontrol-0", "isLeader": true, "lastTick": "2026-12-05T14:00:00Z",
          "policies": [
            { "namespace": "shop", "name": "checkout-api", "target": { "kind": "Deployment", "name": "checkout-api" }, "mode": "Auto",
              "currentReplicas": 3, "readyReplicas": 3, "desiredReplicas": 3,
              "metrics": [
                { "name": "p99", "value": 4.54, "status": "Ok", "target": 2, "targetType": "PerReplica" },
                { "name": "cpu", "value": 0.7, "predicted": 0.9, "status": "Ok", "target": 0.5, "targetType": "Average" },
                { "name": "follow", "value": 12, "status": "Ok" }
              ] }
          ]
        }
        """;

    [Fact]
    public async Task Status_EachMetricValue_ShowsWithItsTarget()
    {
        await using var api = await CannedApi.StartAsync("GET", "/api/v1/status", Status);

        var result = await api.Cli.RunAsync("status");

        Assert.True(result.ExitCode == 0, result.ToString());
        var row = Assert.Single(result.Lines, l => l.StartsWith("shop ", StringComparison.Ordinal));
        Assert.Contains("p99=4.54 (target 2/replica) cpu=0.7→0.9 (target 0.5 avg/pod) follow=12", row, StringComparison.Ordinal);
    }
}
