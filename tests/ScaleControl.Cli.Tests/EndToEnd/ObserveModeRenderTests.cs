namespace ScaleControl.Cli.Tests.EndToEnd;

/// <summary>
/// A policy in mode Observe as scalectl shows it (the server canned over real HTTP): STATE says what it would run,
/// not "Active" or "Held"; <c>get policies</c> says it too; <c>describe policy</c> compares it with what ran.
/// </summary>
public sealed class ObserveModeRenderTests
{
    private const string Status = """
        {
          "mode": "cluster", "identity": "vm", "isLeader": true, "lastTick": "2026-12-07T09:03:00Z",
          "policies": [
            { "namespace": "shop", "name": "search-api", "target": { "kind": "Deployment", "name": "search-api" }, "mode": "Observe",
              "currentReplicas": 4, "readyReplicas": 4, "desiredReplicas": 9, "metrics": [],
              "lastReason": "qps 1080; 120/pod -> 9; mode Observe: would scale 4 → 9, nothing written", "held": null },
            { "namespace": "video", "name": "video-transcoder", "target": { "kind": "StatefulSet", "name": "video-transcoder" }, "mode": "Observe",
              "currentReplicas": 9, "readyReplicas": 9, "desiredReplicas": 9, "metrics": [], "lastReason": "stay at 9" }
          ]
        }
        """;

    private const string Policy = """
        {
          "metadata": { "name": "search-api", "namespace": "shop" },
          "spec": {
            "target": { "kind": "Deployment", "name": "search-api" },
            "metrics": [ { "name": "qps", "query": "sum(rate(http_requests_total[1m]))", "targetType": "PerReplica", "target": 120 } ],
            "minReplicas": 2, "maxReplicas": 30, "mode": "Observe"
          },
          "status": {
            "currentReplicas": 4, "desiredReplicas": 9,
            "observation": { "since": "2026-12-05T09:00:00Z", "lastObserved": "2026-12-07T09:00:00Z", "wouldReplicas": 9, "runningReplicas": 4,
              "observedSeconds": 172800, "differentSeconds": 43200, "podSecondsMore": 90000, "podSecondsLess": 18000,
              "wouldChanges": 14, "workloadChanges": 6 }
          }
        }
        """;

    [Fact]
    public async Task Status_ObservePolicy_StateSaysWhatItWouldRun()
    {
        await using var api = await CannedApi.StartAsync("GET", "/api/v1/status", Status);

        var result = await api.Cli.RunAsync("status");

        Assert.True(result.ExitCode == 0, result.ToString());
        var shop = Assert.Single(result.Lines, l => l.StartsWith("shop ", StringComparison.Ordinal));
        Assert.Contains("Observe: would 4 → 9", shop, StringComparison.Ordinal);
        Assert.DoesNotContain("Active", shop, StringComparison.Ordinal);
        Assert.Contains("Observe: would keep 9", Assert.Single(result.Lines, l => l.StartsWith("video ", StringComparison.Ordinal)), StringComparison.Ordinal);
        Assert.DoesNotContain("HELD", result.Lines);
    }

    [Fact]
    public async Task GetPolicies_ObservePolicy_StateSaysWhatItWouldRun()
    {
        await using var api = await CannedApi.StartAsync("GET", "/api/v1/policies", $"[{Policy}]");

        var result = await api.Cli.RunAsync("get", "policies", "-A");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains(result.Lines, l => l.Contains("search-api", StringComparison.Ordinal) && l.Contains("Observe: would 4 → 9", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Scale_ObservePolicy_RefusedInOneLineNamingTheMode()
    {
        const string refusal = "policy shop/search-api is in mode Observe: it shows what it would do and scales nothing, so it does not pin; "
            + "set spec.mode to Auto, Approval or Hybrid first, or scale the workload itself (kubectl scale)";
        await using var api = await CannedApi.StartAsync("POST", "/api/v1/workloads/shop/search-api/pin",
            $$"""{ "title": "Override refused", "status": 409, "detail": "{{refusal}}" }""", status: 409);

        var result = await api.Cli.RunAsync("scale", "shop/search-api", "--replicas", "12", "--for", "30m", "--reason", "launch");

        Assert.True(result.ExitCode == 1, result.ToString());
        var line = Assert.Single(result.Error.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains(refusal, line, StringComparison.Ordinal);
    }

    [Fact]
    public async Task DescribePolicy_ObservePolicy_ComparesWithWhatRan()
    {
        await using var api = await CannedApi.StartAsync("GET", "/api/v1/policies/shop/search-api", Policy);

        var result = await api.Cli.RunAsync("describe", "policy", "shop/search-api");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("Observation (mode Observe: nothing written):", result.Lines);
        Assert.Contains(result.Lines, l => l.Contains("Would Run:", StringComparison.Ordinal) && l.Contains("9 (workload runs 4, at 2026-12-07 09:00:00Z)", StringComparison.Ordinal));
        Assert.Contains(result.Lines, l => l.Contains("Differed:", StringComparison.Ordinal) && l.Contains("25% of the observed time", StringComparison.Ordinal));
        Assert.Contains(result.Lines, l => l.Contains("Pod-Hours:", StringComparison.Ordinal) && l.EndsWith("25 more, 5 fewer than ran", StringComparison.Ordinal));
        Assert.Contains(result.Lines, l => l.Contains("Changes:", StringComparison.Ordinal) && l.EndsWith("would have scaled 14×, the workload changed 6×", StringComparison.Ordinal));
    }
}
