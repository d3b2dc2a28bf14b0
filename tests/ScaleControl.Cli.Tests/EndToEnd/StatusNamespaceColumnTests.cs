namespace ScaleControl.Cli.Tests.EndToEnd;

/// <summary>
/// <c>scalectl status</c> follows kubectl: with <c>-n</c> every row is in that namespace, so there is no NAMESPACE
/// column; across namespaces (the default, or <c>-A</c>, which wins over <c>-n</c>) the column stays.
/// </summary>
public sealed class StatusNamespaceColumnTests
{
    private const string Status = """
        {
          "mode": "cluster", "identity": "scalecontrol-0", "isLeader": true, "lastTick": "2026-12-05T14:00:00Z",
          "policies": [
            { "namespace": "shop", "name": "checkout-api", "target": { "kind": "Deployment", "name": "checkout-api" }, "mode": "Auto",
              "currentReplicas": 3, "readyReplicas": 3, "desiredReplicas": 3 },
            { "namespace": "video", "name": "video-transcoder", "target": { "kind": "Deployment", "name": "video-transcoder" }, "mode": "Hybrid",
              "currentReplicas": 6, "readyReplicas": 6, "desiredReplicas": 6 }
          ]
        }
        """;

    private static readonly string[] s_columns = ["NAME", "TARGET", "MODE", "READY", "CURRENT", "DESIRED", "METRICS", "STATE", "REASON"];

    [Fact]
    public async Task Status_WithANamespace_NoNamespaceColumn_OnlyItsRows()
    {
        await using var api = await CannedApi.StartAsync("GET", "/api/v1/status", Status);

        var result = await api.Cli.RunAsync("status", "-n", "shop");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal(s_columns, Words(Header(result)));
        var row = Assert.Single(result.Lines, l => l.Contains("Deployment/", StringComparison.Ordinal));
        Assert.Equal(["checkout-api", "Deployment/checkout-api", "Auto", "3", "3", "3", "<none>", "Active", "<none>"], Words(row));
    }

    [Theory]
    [InlineData("")]
    [InlineData("-A")]
    [InlineData("-A -n shop")]
    public async Task Status_AcrossNamespaces_KeepsTheNamespaceColumn(string scope)
    {
        await using var api = await CannedApi.StartAsync("GET", "/api/v1/status", Status);

        var result = await api.Cli.RunAsync(["status", .. scope.Split(' ', StringSplitOptions.RemoveEmptyEntries)]);

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal(["NAMESPACE", .. s_columns], Words(Header(result)));
        Assert.Contains(result.Lines, l => l.StartsWith("shop ", StringComparison.Ordinal));
        Assert.Contains(result.Lines, l => l.StartsWith("video ", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Status_NamespaceWithoutPolicies_SaysWhichNamespace()
    {
        await using var api = await CannedApi.StartAsync("GET", "/api/v1/status", Status);

        var result = await api.Cli.RunAsync("status", "-n", "feed");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal("No policies in feed namespace.", result.Lines[^1]);
    }

    private static string Header(ScalectlResult result) => Assert.Single(result.Lines, l => l.Contains(" TARGET ", StringComparison.Ordinal));

    private static string[] Words(string line) => line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
}
