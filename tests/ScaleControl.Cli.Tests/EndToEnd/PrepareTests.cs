using System.Text.RegularExpressions;

namespace ScaleControl.Cli.Tests.EndToEnd;

/// <summary>Announcing traffic with <c>scalectl prepare</c>: recorded on the policy, visible in get/describe/history, cancelled with unprepare.</summary>
[Collection(CliSandboxCollection.Name)]
public sealed class PrepareTests(CliSandbox server)
{
    [Fact]
    public async Task PrepareThenUnprepare_AsOperator_ShowsTheEventEverywhereThenRemovesIt()
    {
        var incident = await SandboxPolicy.NeedingApprovalAsync(server);
        var policy = await SandboxPolicy.OtherThanAsync(server, incident);
        var zhangsan = server.Cli(CliSandbox.OperatorToken);

        var prepare = await zhangsan.RunAsync("prepare", policy.Id, "--at", "+2h", "--expect", "3x", "--for", "20m", "--name", "push-test", "--reason", "push to 30M users");
        var described = await zhangsan.RunAsync("describe", "policy", policy.Id);
        var listed = await zhangsan.RunAsync("get", "policies", policy.Id);
        var json = await zhangsan.RunAsync("get", "policies", policy.Id, "-o", "json");
        var history = await zhangsan.RunAsync("get", "history", "-n", policy.Namespace, "--since", "5m", "-o", "json");
        var unprepare = await zhangsan.RunAsync("unprepare", policy.Id, "push-test");
        var after = await zhangsan.RunAsync("get", "policies", policy.Id, "-o", "json");

        Assert.True(prepare.ExitCode == 0, prepare.ToString());
        // The sandbox's metrics keep 2 h: nothing at that time a day or a week ago, so the base is today's count, and it says so.
        var line = Regex.Match(prepare.Output.Trim(), @$"^expected event push-test on {policy.Id}: floor \d+ replicas \(3x of (?<base>\d+): (?<source>\k<base> running now; no forecast: [^;)]+)(; capped by maxReplicas from \d+)?\) from \S+ \S+ until \S+ \S+");
        Assert.True(line.Success, prepare.ToString());
        foreach (var read in new[] { described, listed, json, history, after })
        {
            Assert.True(read.ExitCode == 0 && read.Output.Length > 0, read.ToString());
        }

        Assert.Contains(described.Lines, l => l.StartsWith("push-test:", StringComparison.Ordinal) && l.Contains("by zhangsan via Cli: push to 30M users", StringComparison.Ordinal)
            && l.Contains($"(3x of {line.Groups["base"].Value}: {line.Groups["source"].Value})", StringComparison.Ordinal));
        Assert.Contains("Active, event in", listed.Lines[1], StringComparison.Ordinal);
        var stored = Assert.Single(json.Json["spec"]!["expectedEvents"]!.AsArray());
        Assert.Equal(3.0, stored!["multiplier"]!.GetValue<double>());
        Assert.Contains(history.Json.AsArray(), e => e!["kind"]!.GetValue<string>() == "Prepared");
        Assert.True(unprepare.ExitCode == 0, unprepare.ToString());
        Assert.Equal($"expected event push-test on {policy.Id} cancelled", unprepare.Output.Trim());
        Assert.True(after.Json["spec"]!["expectedEvents"] is null || after.Json["spec"]!["expectedEvents"]!.AsArray().Count == 0);
    }

    [Fact]
    public async Task Prepare_WithReplicasAsJson_PrintsTheStoredEvent()
    {
        var incident = await SandboxPolicy.NeedingApprovalAsync(server);
        var policy = await SandboxPolicy.OtherThanAsync(server, incident);

        var at = new DateTimeOffset(DateTimeOffset.UtcNow.Date.AddDays(3).AddHours(12), TimeSpan.Zero);
        var prepare = await server.Cli().RunAsync("prepare", policy.Id, "--at", at.ToOffset(TimeSpan.FromHours(8)).ToString("yyyy-MM-dd'T'HH:mmzzz", System.Globalization.CultureInfo.InvariantCulture), "--replicas", "2", "--for", "1h", "--lead", "10m", "--name", "new-year", "--reason", "gala", "-o", "json");
        await server.Cli().RunAsync("unprepare", policy.Id, "new-year");

        Assert.True(prepare.ExitCode == 0, prepare.ToString());
        var stored = prepare.Json["event"]!;
        Assert.Equal((2, 600, at), (stored["replicas"]!.GetValue<int>(), stored["leadSeconds"]!.GetValue<int>(), DateTimeOffset.Parse(stored["at"]!.GetValue<string>(), System.Globalization.CultureInfo.InvariantCulture)));
        Assert.Equal("admin", stored["by"]!.GetValue<string>());
    }

    /// <summary>
    /// Without EVENT, unprepare was System.CommandLine's "Required argument missing"; the chat lists the events instead,
    /// and so does scalectl now: one error line naming them (or saying there are none), exit 1, nothing cancelled.
    /// </summary>
    [Fact]
    public async Task Unprepare_WithoutEvent_NamesTheEventsToCancelInOneLine()
    {
        var incident = await SandboxPolicy.NeedingApprovalAsync(server);
        var policy = await SandboxPolicy.OtherThanAsync(server, incident);
        var cli = server.Cli();

        var none = await cli.RunAsync("unprepare", policy.Id);
        await cli.RunAsync("prepare", policy.Id, "--at", "+3h", "--replicas", "2", "--for", "20m", "--name", "list-me", "--reason", "r");
        var some = await cli.RunAsync("unprepare", policy.Id);
        var after = await cli.RunAsync("get", "policies", policy.Id, "-o", "json");
        await cli.RunAsync("unprepare", policy.Id, "list-me");

        Assert.True(none.ExitCode == 1 && none.Output == "", none.ToString());
        Assert.Equal($"error: {policy.Id} has no expected events still to come: nothing to unprepare", Assert.Single(none.Error.Split('\n', StringSplitOptions.RemoveEmptyEntries)));
        Assert.True(some.ExitCode == 1 && some.Output == "", some.ToString());
        Assert.Matches(@$"^error: name the event to cancel: scalectl unprepare {Regex.Escape(policy.Id)} EVENT; {Regex.Escape(policy.Id)} expects list-me \(at \d{{4}}-\d\d-\d\d \d\d:\d\d:\d\dZ\)$",
            Assert.Single(some.Error.Split('\n', StringSplitOptions.RemoveEmptyEntries)));
        Assert.Contains(after.Json["spec"]!["expectedEvents"]!.AsArray(), e => e!["name"]!.GetValue<string>() == "list-me");
    }

    [Theory]
    [InlineData("error: give exactly one of --expect (e.g. 3x) and --replicas", "--expect", "3x", "--replicas", "4")]
    [InlineData("error: give exactly one of --expect (e.g. 3x) and --replicas")]
    [InlineData("error: --at '25:99' is not a time such as 20:00, +30m or 2026-12-04T20:00+08:00", "--at", "25:99", "--expect", "2x")]
    [InlineData("error: --at '0001-01-01 00:00': the year must be 2000 to 9998", "--at", "0001-01-01 00:00", "--expect", "2x")]
    [InlineData("error: --expect 'lots' is not a multiple such as 3x", "--expect", "lots")]
    [InlineData("error: Cannot parse argument 'many' for option '--replicas' as a whole number (see 'scalectl prepare --help')", "--replicas", "many")]
    [InlineData("error: Cannot parse argument '99999999999' for option '--replicas' as a whole number (see 'scalectl prepare --help')", "--replicas", "99999999999")]
    public async Task Prepare_BadUsage_OneErrorLine(string prefix, params string[] extra)
    {
        string[] args = ["prepare", "shop/checkout-api", "--for", "20m", "--reason", "x", .. extra];
        if (!extra.Contains("--at"))
        {
            args = [.. args, "--at", "+1h"];
        }

        var result = await server.Cli().RunAsync(args);

        Assert.True(result.ExitCode == 1, result.ToString());
        Assert.Equal("", result.Output);
        Assert.StartsWith(prefix, Assert.Single(result.Error.Split('\n', StringSplitOptions.RemoveEmptyEntries)), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Prepare_AboveMaxReplicasOrAsViewer_RefusedWithOneLine()
    {
        var policy = (await SandboxPolicy.ListAsync(server))[0];

        var aboveMax = await server.Cli().RunAsync("prepare", policy.Id, "--at", "+1h", "--replicas", "10000", "--for", "20m", "--reason", "too much");
        var viewer = await server.Cli(CliSandbox.ViewerToken).RunAsync("prepare", policy.Id, "--at", "+1h", "--replicas", "2", "--for", "20m", "--reason", "not mine");

        Assert.True(aboveMax.ExitCode == 1, aboveMax.ToString());
        Assert.Contains("maxReplicas", aboveMax.Error, StringComparison.Ordinal);
        Assert.True(viewer.ExitCode == 1, viewer.ToString());
        Assert.StartsWith("error: forbidden", viewer.Error, StringComparison.OrdinalIgnoreCase);
    }
}
