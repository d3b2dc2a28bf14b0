using System.Text.Json.Nodes;
using ScaleControl.Yaml;

namespace ScaleControl.Cli.Tests.EndToEnd;

/// <summary>The read verbs in every output format, against the sandbox's seeded world.</summary>
[Collection(CliSandboxCollection.Name)]
public sealed class ReadCommandsTests(CliSandbox server)
{
    [Fact]
    public async Task Status_Table_ShowsSandboxModeAndEverySeededPolicy()
    {
        var policies = await SandboxPolicy.ListAsync(server);

        var result = await server.Cli(CliSandbox.ViewerToken).RunAsync("status");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("sandbox mode", result.Lines[0], StringComparison.Ordinal);
        var header = Array.FindIndex(result.Lines, l => l.StartsWith("NAMESPACE", StringComparison.Ordinal));
        Assert.Equal(["NAMESPACE", "NAME", "TARGET", "MODE", "READY", "CURRENT", "DESIRED", "METRICS", "STATE", "REASON"],
            result.Lines[header].Split(' ', StringSplitOptions.RemoveEmptyEntries));
        foreach (var p in policies)
        {
            Assert.Contains(result.Lines, l => l.StartsWith($"{p.Namespace} ", StringComparison.Ordinal) && l.Contains($" {p.Name} ", StringComparison.Ordinal));
        }
    }

    [Theory]
    [InlineData("json")]
    [InlineData("yaml")]
    public async Task Status_StructuredOutput_IsTheServersObject(string format)
    {
        var result = await server.Cli(CliSandbox.ViewerToken).RunAsync("status", "-o", format);

        Assert.True(result.ExitCode == 0, result.ToString());
        var status = Parse(format, result.Output);
        Assert.Equal("sandbox", status["mode"]!.GetValue<string>());
        Assert.NotEmpty(status["policies"]!.AsArray());
    }

    [Fact]
    public async Task GetPolicies_AllNamespaces_TableHasKubectlColumnsAndRowsAligned()
    {
        var policies = await SandboxPolicy.ListAsync(server);

        var result = await server.Cli(CliSandbox.ViewerToken).RunAsync("get", "policies", "-A");

        Assert.True(result.ExitCode == 0, result.ToString());
        var header = result.Output.Split('\n')[0];
        Assert.Equal(["NAMESPACE", "NAME", "TARGET", "MODE", "MIN", "MAX", "CURRENT", "DESIRED", "STATE", "AGE"],
            header.Split(' ', StringSplitOptions.RemoveEmptyEntries));
        var nameColumn = header.IndexOf("NAME ", StringComparison.Ordinal);
        foreach (var p in policies)
        {
            var row = Assert.Single(result.Output.Split('\n'), l => l.StartsWith(p.Namespace + " ", StringComparison.Ordinal) && l.Contains($" {p.Name} ", StringComparison.Ordinal));
            Assert.Equal(p.Name, row[nameColumn..].Split(' ')[0]);
            Assert.Contains($"/{p.Workload}", row, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task GetPolicies_OneNamespace_LeavesOutTheNamespaceColumn()
    {
        var policy = (await SandboxPolicy.ListAsync(server))[0];

        var result = await server.Cli(CliSandbox.ViewerToken).RunAsync("get", "policies", "-n", policy.Namespace);

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.StartsWith("NAME ", result.Lines[0], StringComparison.Ordinal);
        Assert.Contains(result.Lines, l => l.StartsWith(policy.Name + " ", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("json")]
    [InlineData("yaml")]
    public async Task GetPolicy_ByIdStructured_IsTheServersPolicy(string format)
    {
        var policy = (await SandboxPolicy.ListAsync(server))[0];

        var result = await server.Cli(CliSandbox.ViewerToken).RunAsync("get", "policy", policy.Id, "-o", format);

        Assert.True(result.ExitCode == 0, result.ToString());
        var node = Parse(format, result.Output);
        Assert.Equal(policy.Name, node["metadata"]!["name"]!.GetValue<string>());
        Assert.Equal(policy.Workload, node["spec"]!["target"]!["name"]!.GetValue<string>());
    }

    /// <summary>The server's text as it sent it: a time's offset was printed "\u002B00:00" (escaped as for a web page).</summary>
    [Fact]
    public async Task GetPolicy_Json_TimesPrintedAsTheServerSentThem()
    {
        var policy = (await SandboxPolicy.ListAsync(server))[0];

        var result = await server.Cli(CliSandbox.ViewerToken).RunAsync("get", "policy", policy.Id, "-o", "json");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.DoesNotContain(@"\u002B", result.Output, StringComparison.Ordinal);
        Assert.Matches(@"""creationTimestamp"": ""[0-9T:.-]+(\+00:00|Z)""", result.Output);
    }

    [Fact]
    public async Task DescribePolicy_NameWithNamespaceFlag_ShowsSpecAndStatus()
    {
        var policy = (await SandboxPolicy.ListAsync(server))[0];

        var result = await server.Cli(CliSandbox.ViewerToken).RunAsync("describe", "policy", policy.Name, "-n", policy.Namespace);

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains(result.Lines, l => l.StartsWith("Name:", StringComparison.Ordinal) && l.EndsWith(policy.Name, StringComparison.Ordinal));
        Assert.Contains(result.Lines, l => l.StartsWith("Target:", StringComparison.Ordinal) && l.Contains(policy.Workload, StringComparison.Ordinal));
        Assert.Contains("Metrics:", result.Lines);
        Assert.Contains("Status:", result.Lines);
    }

    [Fact]
    public async Task DescribePolicy_Approval_ShowsBackoffAndTheWayBack()
    {
        // checkout-api asks before scaling up and scales down by itself: no return to normal to wait for.
        var checkout = await server.Cli(CliSandbox.ViewerToken).RunAsync("describe", "policy", "shop/checkout-api");

        Assert.True(checkout.ExitCode == 0, checkout.ToString());
        Assert.Contains(checkout.Lines, l => l.TrimStart().StartsWith("Reject Back-off:", StringComparison.Ordinal) && l.EndsWith(" 30m", StringComparison.Ordinal));
        Assert.Contains(checkout.Lines, l => l.TrimStart().StartsWith("Return To Normal:", StringComparison.Ordinal) && l.EndsWith("n/a (scale-down mode is Auto)", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("table")]
    [InlineData("json")]
    [InlineData("yaml")]
    public async Task GetHistory_AnyFormat_Succeeds(string format)
    {
        var result = await server.Cli(CliSandbox.ViewerToken).RunAsync("get", "history", "-A", "--since", "1h", "-o", format);

        Assert.True(result.ExitCode == 0, result.ToString());
        if (format != "table")
        {
            Assert.IsType<JsonArray>(Parse(format, result.Output));
        }
    }

    [Fact]
    public async Task GetHistory_NothingInTheNamespace_SaysWhichNamespaceItLookedIn()
    {
        var one = await server.Cli(CliSandbox.ViewerToken).RunAsync("get", "history", "-n", "quiet-ns", "--since", "1h");
        var all = await server.Cli(CliSandbox.ViewerToken).RunAsync("get", "history", "-A", "--since", "1s");

        Assert.True(one.ExitCode == 0, one.ToString());
        Assert.Equal("No actions in quiet-ns namespace in the last 1h.", one.Output.Trim());
        Assert.True(all.ExitCode == 0, all.ToString());
        Assert.True(all.Output.Trim() is "No actions in the last 1s." || all.Output.StartsWith("NAMESPACE", StringComparison.Ordinal), all.ToString());
    }

    [Fact]
    public async Task GetHistory_LimitOutOfRange_OneLineNamingTheLimitAndItsRange()
    {
        var result = await server.Cli(CliSandbox.ViewerToken).RunAsync("get", "history", "-A", "--limit", "0");

        Assert.Equal(1, result.ExitCode);
        var line = Assert.Single(result.Error.Trim().Split('\n'));
        Assert.Contains("limit", line, StringComparison.Ordinal);
        Assert.Contains("between 1 and 5000", line, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("pending")]
    [InlineData("APPLIED")]
    public async Task GetProposals_PhaseInAnyCase_ListsThatPhase(string typed)
    {
        var result = await server.Cli(CliSandbox.ViewerToken).RunAsync("get", "proposals", "-A", "--phase", typed, "-o", "json");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.All(result.Json.AsArray(), p => Assert.Equal(typed, p!["status"]!["phase"]!.GetValue<string>(), ignoreCase: true));
    }

    [Fact]
    public async Task GetProposals_UnknownPhase_OneLineListingThePhases()
    {
        var result = await server.Cli(CliSandbox.ViewerToken).RunAsync("get", "proposals", "-A", "--phase", "Pendng");

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("must be one of Pending, Approved", Assert.Single(result.Error.Trim().Split('\n')), StringComparison.Ordinal);
    }

    [Fact]
    public async Task GetHistoryHelp_NamesTheLimit()
    {
        var result = await server.Cli(CliSandbox.ViewerToken).RunAsync("get", "history", "--help");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("--limit", result.Output, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("table")]
    [InlineData("json")]
    [InlineData("yaml")]
    public async Task GetProposals_AnyFormat_Succeeds(string format)
    {
        var result = await server.Cli(CliSandbox.ViewerToken).RunAsync("get", "proposals", "-A", "-o", format);

        Assert.True(result.ExitCode == 0, result.ToString());
        if (format != "table")
        {
            Assert.IsType<JsonArray>(Parse(format, result.Output));
        }
    }

    internal static JsonNode Parse(string format, string text) =>
        format == "json" ? JsonNode.Parse(text)! : YamlJson.ParseDocuments(text).Single();
}
