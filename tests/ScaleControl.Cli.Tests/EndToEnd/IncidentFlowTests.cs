using System.Globalization;
using System.Text.Json.Nodes;
using ScaleControl.Testing.Timing;

namespace ScaleControl.Cli.Tests.EndToEnd;

/// <summary>
/// The incident as an SRE runs it from the terminal: a hot event makes the policy propose, the SRE lists, describes and
/// approves it as zhangsan, a late reject is refused with the server's reason, and the history tells the story.
/// It has a server of its own, with flat traffic: waiting for the control loop to react takes a while, and the other
/// tests need not wait.
/// </summary>
public sealed class IncidentFlowTests(IncidentFlowTests.FlatTrafficServer fixture) : IClassFixture<IncidentFlowTests.FlatTrafficServer>
{
    private CliSandbox Server => fixture.Server;

    [Fact]
    public async Task HotEvent_ProposeDescribeApproveAndRejectLate_WholeFlowFromTheCli()
    {
        var policy = await SandboxPolicy.NeedingApprovalAsync(Server);
        await StartSettledHotEventAsync(policy, 6);
        var proposal = await CliSandbox.EventuallyAsync(async () =>
        {
            var pending = (await Server.ApiAsync(HttpMethod.Get, $"/api/v1/proposals?namespace={policy.Namespace}&phase=Pending&policy={policy.Name}"))!.AsArray();
            return pending.FirstOrDefault()?["metadata"]?["name"]?.GetValue<string>();
        }, Patience.Of(30), $"a pending proposal for {policy.Id}");
        var id = $"{policy.Namespace}/{proposal}";
        var zhangsan = Server.Cli(CliSandbox.OperatorToken);

        var list = await zhangsan.RunAsync("get", "proposals", "-n", policy.Namespace, "--phase", "Pending");
        Assert.True(list.ExitCode == 0, list.ToString());
        Assert.Equal(["NAME", "POLICY", "TARGET", "FROM", "TO", "PHASE", "APPROVALS", "EXPIRES", "AGE"],
            list.Lines[0].Split(' ', StringSplitOptions.RemoveEmptyEntries));
        var row = Assert.Single(list.Lines, l => l.StartsWith(proposal + " ", StringComparison.Ordinal));
        Assert.Contains(" Pending ", row, StringComparison.Ordinal);
        Assert.Contains(" in ", row, StringComparison.Ordinal);

        var describe = await zhangsan.RunAsync("describe", "proposal", id);
        Assert.True(describe.ExitCode == 0, describe.ToString());
        Assert.Contains(describe.Lines, l => l.StartsWith("Policy:", StringComparison.Ordinal) && l.EndsWith(policy.Name, StringComparison.Ordinal));
        Assert.Contains(describe.Lines, l => l.StartsWith("Replicas:", StringComparison.Ordinal) && l.Contains('→', StringComparison.Ordinal));
        Assert.Contains("Evidence:", describe.Lines);
        Assert.Contains(describe.Lines, l => l.StartsWith("Pre-Event Replicas:", StringComparison.Ordinal) && l.EndsWith("(a return to normal goes back to this)", StringComparison.Ordinal));

        var approve = await zhangsan.RunAsync("approve", id);
        Assert.True(approve.ExitCode == 0, approve.ToString());
        Assert.StartsWith($"proposal {id} approved", approve.Output, StringComparison.Ordinal);

        var rejectLate = await zhangsan.RunAsync("reject", id, "--reason", "too late");
        Assert.Equal(1, rejectLate.ExitCode);
        Assert.StartsWith("error: refused (409): ", rejectLate.Error, StringComparison.Ordinal);
        Assert.Single(rejectLate.Error.Split('\n', StringSplitOptions.RemoveEmptyEntries));

        var approved = await CliSandbox.EventuallyAsync(async () =>
        {
            var p = await Server.ApiAsync(HttpMethod.Get, $"/api/v1/proposals/{id}");
            return p!["status"]!["phase"]!.GetValue<string>() is "Applied" ? p : null;
        }, Patience.Of(10), $"{id} to be applied");
        var to = approved["spec"]!["toReplicas"]!.GetValue<int>();
        var describeApplied = await zhangsan.RunAsync("describe", "proposal", id);
        Assert.Contains(describeApplied.Lines, l => l.StartsWith("Expires:", StringComparison.Ordinal) && l.EndsWith("<none>", StringComparison.Ordinal)); // an applied proposal does not expire

        var history = await zhangsan.RunAsync("get", "history", "-n", policy.Namespace, "--since", "10m", "-o", "json");
        Assert.True(history.ExitCode == 0, history.ToString());
        var kinds = history.Json.AsArray()
            .Where(e => e!["proposal"]?.GetValue<string>() == proposal)
            .Select(e => e!["kind"]!.GetValue<string>())
            .ToList();
        Assert.Contains("Proposed", kinds);
        Assert.Contains("Approved", kinds);

        var table = await zhangsan.RunAsync("get", "history", "-n", policy.Namespace, "--since", "10m");
        Assert.Contains(table.Lines, l => l.Contains(" Approved ", StringComparison.Ordinal) && l.Contains("zhangsan", StringComparison.Ordinal));
        Assert.Contains(table.Lines, l => l.Contains($"→ {to}", StringComparison.Ordinal));

        // What it cost and whether it fit, from the sandbox's pod template requests and nodes.
        Assert.Contains(describeApplied.Lines, l => l.StartsWith("Cost:", StringComparison.Ordinal) && l.Contains(" CPU, ", StringComparison.Ordinal));
        Assert.Contains(describeApplied.Lines, l => l.StartsWith("Room:", StringComparison.Ordinal) && !l.Contains("unknown", StringComparison.Ordinal));

        // zhangsan is on the roster: undo applies at once, back to where the change started; a second undo is refused.
        var from = approved["spec"]!["fromReplicas"]!.GetValue<int>();
        var undo = await zhangsan.RunAsync("undo", id, "--reason", "event over");
        Assert.True(undo.ExitCode == 0, undo.ToString());
        Assert.StartsWith($"proposal {id}: undone: ", undo.Output, StringComparison.Ordinal);
        Assert.Contains($"→ {from} (", undo.Output, StringComparison.Ordinal);
        var undone = await Server.ApiAsync(HttpMethod.Get, $"/api/v1/proposals/{id}");
        Assert.Equal("zhangsan", undone!["status"]!["undo"]!["by"]!.GetValue<string>());
        var again = await zhangsan.RunAsync("undo", id);
        Assert.Equal(1, again.ExitCode);
        Assert.Contains("already undone by zhangsan", again.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Approve_UnknownProposal_IsNotFound()
    {
        var result = await Server.Cli(CliSandbox.OperatorToken).RunAsync("approve", "shop/no-such-proposal");

        Assert.Equal(1, result.ExitCode);
        Assert.StartsWith("error: not found (404)", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Reject_UnknownProposalJson_IsStillOneErrorLine()
    {
        var result = await Server.Cli(CliSandbox.OperatorToken).RunAsync("reject", "no-such-proposal", "-n", "shop", "--reason", "x", "-o", "json");

        Assert.Equal(1, result.ExitCode);
        Assert.Equal("", result.Output);
        Assert.StartsWith("error: not found (404)", result.Error, StringComparison.Ordinal);
    }

    /// <summary>
    /// A hot event whose proposal cannot move under the test (however slowly the machine runs): the policy is frozen
    /// while the demand ramps and fills the rate window, and thawed once the loop has read the held demand. With flat
    /// traffic the first proposal is then the last one: no amendment lands between reading it and approving it.
    /// </summary>
    private async Task StartSettledHotEventAsync(SandboxPolicy policy, double multiplier)
    {
        const int RateWindowSeconds = CliSandbox.RateWindowSeconds;
        await Server.ApiAsync(HttpMethod.Post, $"/api/v1/policies/{policy.Id}/freeze", new { durationSeconds = 600, reason = "test: let the hot event settle" });
        await Server.ApiAsync(HttpMethod.Post, "/sandbox/traffic/hot-events", SandboxPolicy.HotEvent(policy, multiplier));
        var hotEvent = await CliSandbox.EventuallyAsync(async () => (await Server.ApiAsync(HttpMethod.Get, "/sandbox/traffic/hot-events"))!.AsArray()
            .FirstOrDefault(e => e!["namespace"]!.GetValue<string>() == policy.Namespace && e["workload"]!.GetValue<string>() == policy.Workload
                && e["phase"]!.GetValue<string>() == "hold"), Patience.Of(10), "the hot event holds");
        var settledAt = hotEvent["startsAt"]!.GetValue<DateTimeOffset>().AddSeconds(hotEvent["rampSeconds"]!.GetValue<int>() + (2 * RateWindowSeconds));
        await CliSandbox.EventuallyAsync(async () => (await Server.ApiAsync(HttpMethod.Get, "/api/v1/status"))!["policies"]!.AsArray()
            .FirstOrDefault(p => p!["namespace"]!.GetValue<string>() == policy.Namespace && p["name"]!.GetValue<string>() == policy.Name
                && p["lastEvaluation"]?.GetValue<string>() is { } last && DateTimeOffset.Parse(last, CultureInfo.InvariantCulture) > settledAt),
            Patience.Of(30) + TimeSpan.FromSeconds(2 * RateWindowSeconds), "the loop has evaluated the held demand");
        await Server.ApiAsync(HttpMethod.Delete, $"/api/v1/policies/{policy.Id}/freeze");
    }

    /// <summary>The CLI sandbox with flat traffic (no noise), so a settled hot event proposes once.</summary>
    public sealed class FlatTrafficServer : IAsyncLifetime
    {
        public CliSandbox Server { get; } = new(new Dictionary<string, string> { ["ScaleControl__Sandbox__FlatTraffic"] = "true" });

        public Task InitializeAsync() => Server.InitializeAsync();

        public Task DisposeAsync() => Server.DisposeAsync();
    }
}
