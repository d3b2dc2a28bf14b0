using System.Globalization;
using ScaleControl.Testing.Prometheus;

namespace ScaleControl.Cli.Tests.EndToEnd;

/// <summary>Prometheus holding a backfilled hot event, and a server whose metrics come from it.</summary>
public sealed class PrometheusBackedServer : IAsyncLifetime
{
    private PrometheusServer? _prometheus;

    public CliSandbox Server { get; private set; } = null!;

    /// <summary>The backfill's first sample (an hour before the fixture started).</summary>
    public DateTimeOffset HistoryStart { get; private set; }

    public async Task InitializeAsync()
    {
        var now = DateTimeOffset.UtcNow;
        HistoryStart = DateTimeOffset.FromUnixTimeSeconds(now.ToUnixTimeSeconds() - 3600);
        _prometheus = await PrometheusServer.StartAsync(openMetricsBackfill: HotEventCurve.ToOpenMetrics(now), globalScrapeInterval: "15s");
        Server = new CliSandbox(new Dictionary<string, string> { ["ScaleControl__Prometheus__Url"] = _prometheus.Url.ToString().TrimEnd('/') });
        await Server.InitializeAsync();
    }

    public async Task DisposeAsync()
    {
        await Server.DisposeAsync();
        if (_prometheus is not null)
        {
            await _prometheus.DisposeAsync();
        }
    }
}

/// <summary><c>scalectl whatif</c> replays the last hour of real Prometheus history through the engine on the server.</summary>
public sealed class WhatIfTests(PrometheusBackedServer fixture) : IClassFixture<PrometheusBackedServer>
{
    private CliSandbox Server => fixture.Server;

    [Fact]
    public async Task WhatIf_LastHourWithHotEvent_ShowsScaleUpToPeakAndBack()
    {
        await ApplyAsync();

        var result = await Server.Cli(CliSandbox.ViewerToken).RunAsync("whatif", "clitest/cli-whatif", "--from", "-1h");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.StartsWith("policy clitest/cli-whatif: replayed ", result.Lines[0], StringComparison.Ordinal);
        Assert.StartsWith("starting from 1 replicas: ", result.Lines[1], StringComparison.Ordinal); // where the replay's count came from
        Assert.StartsWith("would have: ", result.Lines[2], StringComparison.Ordinal);
        Assert.Contains(result.Lines, l => l.StartsWith("qps ", StringComparison.Ordinal) && l.Contains('█', StringComparison.Ordinal));
        var header = Array.FindIndex(result.Lines, l => l.StartsWith("TIME ", StringComparison.Ordinal));
        Assert.Equal(["TIME", "QPS", "PREDICTED", "QPS", "CURRENT", "DESIRED", "OUTCOME", "REASON"],
            result.Lines[header].Split(' ', StringSplitOptions.RemoveEmptyEntries));
        var desired = result.Lines[(header + 1)..].Select(l => int.Parse(l.Split(' ', StringSplitOptions.RemoveEmptyEntries)[4], System.Globalization.CultureInfo.InvariantCulture)).ToList();
        Assert.Equal(5, desired.Max());
    }

    [Fact]
    public async Task WhatIf_Json_HasStepsFollowingTheCurveAndASummary()
    {
        await ApplyAsync();

        var result = await Server.Cli(CliSandbox.ViewerToken).RunAsync("whatif", "cli-whatif", "-n", "clitest", "--from", "-1h", "--step", "30s", "-o", "json");

        Assert.True(result.ExitCode == 0, result.ToString());
        var steps = result.Json["steps"]!.AsArray();
        Assert.InRange(steps.Count, 100, 121);
        var peak = steps.Max(s => s!["values"]!["qps"]?.GetValue<double>() ?? 0);
        Assert.InRange(peak, HotEventCurve.PeakQps * 0.95, HotEventCurve.PeakQps * 1.05);
        var summary = result.Json["summary"]!;
        Assert.Equal(5, summary["maxReplicas"]!.GetValue<int>());
        Assert.True(summary["changes"]!.GetValue<int>() >= 2);
    }

    [Fact]
    public async Task WhatIf_LookBackBeforeHistory_SkipsLeadingNoDataStepsInOneLine()
    {
        await ApplyAsync();

        var result = await Server.Cli(CliSandbox.ViewerToken).RunAsync("whatif", "clitest/cli-whatif", "--from", "-2h", "--step", "60s");

        Assert.True(result.ExitCode == 0, result.ToString());
        var skipped = Assert.Single(result.Lines, l => l.StartsWith("skipped ", StringComparison.Ordinal));
        var count = int.Parse(skipped.Split(' ')[1], System.Globalization.CultureInfo.InvariantCulture);
        Assert.Contains("leading steps without metric data (history starts ", skipped, StringComparison.Ordinal);
        // Counted from the backfill's own start, not from a fixed "about 60": the look-back ends when the command runs,
        // and a slow machine may run it minutes after the history was written.
        var replayedFrom = UtcTime(result.Lines[0], "replayed ", " →");
        var historyStarts = UtcTime(skipped, "(history starts ", ")");
        Assert.Equal(count, (historyStarts - replayedFrom) / TimeSpan.FromSeconds(60));
        // The first step whose [1m] rate holds two of the backfill's 10 s samples.
        Assert.InRange(historyStarts, fixture.HistoryStart.AddSeconds(10), fixture.HistoryStart.AddSeconds(70));
        var header = Array.FindIndex(result.Lines, l => l.StartsWith("TIME ", StringComparison.Ordinal));
        var qpsColumn = result.Lines[header].IndexOf(" QPS ", StringComparison.Ordinal) + 1;
        Assert.NotEqual(' ', result.Lines[header + 1][qpsColumn]);
    }

    [Fact]
    public async Task WhatIf_ApprovalPolicy_CapacityArrivesWhenAPersonApproves_ByDefaultAtTheEscalationTime()
    {
        await ApplyAsync("whatif-orders-approval.yaml");
        var cli = Server.Cli(CliSandbox.ViewerToken);

        // One window for the three runs (they start seconds apart on a busy machine): the same history on the same grid.
        var to = DateTimeOffset.UtcNow.AddSeconds(-1).ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture);
        var atOnce = await cli.RunAsync("whatif", "clitest/cli-whatif-approval", "--from", "-1h", "--to", to, "--approval-delay", "0s", "-o", "json");
        var asEscalated = await cli.RunAsync("whatif", "clitest/cli-whatif-approval", "--from", "-1h", "--to", to, "-o", "json");
        var text = await cli.RunAsync("whatif", "clitest/cli-whatif-approval", "--from", "-1h", "--to", to);

        Assert.True(atOnce.ExitCode == 0 && asEscalated.ExitCode == 0 && text.ExitCode == 0, $"{atOnce}\n{asEscalated}\n{text}");
        Assert.Equal(180, asEscalated.Json["approvalDelaySeconds"]!.GetValue<int>());
        // The first added pod arrives three minutes later than with an instant approval (one 15 s step of slack for the grid).
        var delayed = (FirstAbove(asEscalated.Json, 1) - FirstAbove(atOnce.Json, 1)).TotalSeconds;
        Assert.InRange(delayed, 165, 195);
        Assert.Contains(text.Lines, l => l.StartsWith("approvals: each proposal approved 3m after it was made (the policy's escalation time", StringComparison.Ordinal));
        var header = Array.FindIndex(text.Lines, l => l.StartsWith("TIME ", StringComparison.Ordinal));
        Assert.Contains("APPROVAL", text.Lines[header], StringComparison.Ordinal);
        Assert.Contains(text.Lines, l => l.Contains("approved 1 → ", StringComparison.Ordinal));
    }

    [Fact]
    public async Task WhatIf_HybridPolicy_ShowsTheAutomaticPartAndTheRestProposed()
    {
        await ApplyAsync("whatif-orders-hybrid.yaml");

        var text = await Server.Cli(CliSandbox.ViewerToken).RunAsync("whatif", "clitest/cli-whatif-hybrid", "--from", "-1h");

        // The ramp to 5 replicas: the first pods within the allowance (+2 per 10 min) at once, the rest asked and
        // approved at the escalation time.
        Assert.True(text.ExitCode == 0, text.ToString());
        var header = Array.FindIndex(text.Lines, l => l.StartsWith("TIME ", StringComparison.Ordinal));
        Assert.True(header > 0 && text.Lines[header].Contains("APPROVAL", StringComparison.Ordinal), text.ToString());
        Assert.Contains(text.Lines, l => l.Contains("ApplyNow   auto 1 → ", StringComparison.Ordinal) && l.Contains(" (allowance +", StringComparison.Ordinal));
        Assert.Contains(text.Lines, l => l.Contains("Propose    allowance used up, proposed ", StringComparison.Ordinal));
        Assert.Contains(text.Lines, l => l.Contains("→ 5, 180s after it was proposed", StringComparison.Ordinal));
    }

    [Fact]
    public async Task WhatIf_BadApprovalDelay_IsOneErrorLine()
    {
        var result = await Server.Cli(CliSandbox.ViewerToken).RunAsync("whatif", "clitest/cli-whatif", "--approval-delay", "soon");

        Assert.Equal(1, result.ExitCode);
        Assert.Equal("error: --approval-delay 'soon' is not a duration of at most 1d such as 2m or 0s", result.Error.Trim());
    }

    /// <summary>When the replay first runs more than <paramref name="replicas"/>.</summary>
    private static DateTimeOffset FirstAbove(System.Text.Json.Nodes.JsonNode result, int replicas) =>
        result["steps"]!.AsArray().First(s => s!["currentReplicas"]!.GetValue<int>() > replicas)!["time"]!.GetValue<DateTimeOffset>();

    [Theory]
    [InlineData("tonight", "error: --to 'tonight' is not an RFC 3339 time such as 2026-12-05T03:10:00Z")]
    [InlineData("2099-01-01T00:00:00Z", "error: invalid request (400): to: to must lie within the last 7 days and not in the future")]
    public async Task WhatIf_BadWindowEnd_IsOneErrorLine(string to, string error)
    {
        var result = await Server.Cli(CliSandbox.ViewerToken).RunAsync("whatif", "clitest/cli-whatif", "--to", to);

        Assert.NotEqual(0, result.ExitCode);
        Assert.StartsWith(error, result.Error.Trim(), StringComparison.Ordinal);
        Assert.Single(result.Error.Trim().Split('\n'));
    }

    [Fact]
    public async Task WhatIf_BadLookBack_IsOneErrorLine()
    {
        var result = await Server.Cli(CliSandbox.ViewerToken).RunAsync("whatif", "clitest/cli-whatif", "--from", "yesterday");

        Assert.Equal(1, result.ExitCode);
        Assert.Equal("error: --from 'yesterday' is not a look-back such as -1h or -30m", result.Error.Trim());
    }

    /// <summary>The time printed between <paramref name="before"/> and <paramref name="after"/> in the "u" format.</summary>
    private static DateTimeOffset UtcTime(string line, string before, string after)
    {
        var start = line.IndexOf(before, StringComparison.Ordinal) + before.Length;
        var text = line[start..line.IndexOf(after, start, StringComparison.Ordinal)];
        return DateTimeOffset.ParseExact(text, "u", System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.AssumeUniversal);
    }

    private async Task ApplyAsync(string file = "whatif-orders.yaml")
    {
        var apply = await Server.Cli().RunAsync("policy", "apply", "-f", Path.Combine(AppContext.BaseDirectory, "EndToEnd", "Policies", file));
        Assert.True(apply.ExitCode == 0, apply.ToString());
    }
}
