using System.Text.Json.Nodes;

namespace ScaleControl.Cli.Tests.EndToEnd;

[Collection(CliSandboxCollection.Name)]
public sealed class PolicyFileTests(CliSandbox server)
{
    private static string File(string name) => Path.Combine(AppContext.BaseDirectory, "EndToEnd", "Policies", name);

    [Fact]
    public async Task PolicyValidate_ValidMultiDocumentFile_ReportsEachValid()
    {
        var result = await server.Cli().RunAsync("policy", "validate", "-f", File("valid-two.yaml"), "-n", "clitest");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal(["scalepolicy clitest/cli-orders valid", "scalepolicy clitest/cli-search valid"], result.Lines);
    }

    [Fact]
    public async Task PolicyValidate_InvalidFile_FailsWithOneLineListingEachField()
    {
        var result = await server.Cli().RunAsync("policy", "validate", "-f", File("invalid.yaml"));

        Assert.Equal(1, result.ExitCode);
        Assert.Equal("", result.Output);
        var line = Assert.Single(result.Error.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith("error: invalid policy clitest/cli-broken (invalid.yaml document 1): ", line, StringComparison.Ordinal);
        Assert.Contains("spec.maxReplicas", line, StringComparison.Ordinal);
        Assert.Contains("spec.metrics[0].query", line, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("validate")]
    [InlineData("apply")]
    public async Task Policy_TypoInABound_RejectedNamingTheField_NothingStored(string verb)
    {
        var result = await server.Cli().RunAsync("policy", verb, "-f", File("typo-maxreplica.yaml"));
        var get = await server.Cli().RunAsync("get", "policies", "clitest/cli-typo");

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("spec.maxReplica", result.Error, StringComparison.Ordinal);
        Assert.Equal(1, get.ExitCode);
    }

    /// <summary>
    /// Files that once crashed or hung scalectl: 100,000 '[' (a stack overflow, exit 134), a "billion laughs" of aliases
    /// (ran without end), a file over the server's 1 MiB body limit and an endless one (/dev/zero: out of memory).
    /// Each now ends with exit 1 and one line that says why.
    /// </summary>
    [Theory]
    [InlineData("deep", "nests deeper than 64 levels")]
    [InlineData("laughs", "aliases expand to more than 100000 nodes")]
    [InlineData("huge", "is larger than 1024 KiB")]
    [InlineData("/dev/zero", "is larger than 1024 KiB")]
    public async Task PolicyValidate_HostileFile_ExitsOneWithOneLine(string kind, string expected)
    {
        var path = kind.StartsWith('/') ? kind : Path.Combine(Directory.CreateTempSubdirectory("scalectl-hostile-").FullName, kind + ".yaml");
        if (kind == "deep")
        {
            await System.IO.File.WriteAllTextAsync(path, "metadata: {name: x}\nspec: " + new string('[', 100_000) + new string(']', 100_000));
        }
        else if (kind == "laughs")
        {
            var yaml = new System.Text.StringBuilder("metadata: {name: x}\nl0: &l0 [a, a, a, a, a, a, a, a, a]\n");
            for (var level = 1; level < 10; level++)
            {
                yaml.Append($"l{level}: &l{level} [{string.Join(", ", Enumerable.Repeat($"*l{level - 1}", 9))}]\n");
            }

            await System.IO.File.WriteAllTextAsync(path, yaml.ToString());
        }
        else if (kind == "huge")
        {
            await System.IO.File.WriteAllTextAsync(path, "metadata: {name: x}\nnote: " + new string('x', 2 * 1024 * 1024) + "\n");
        }

        var result = await server.Cli().RunAsync("policy", "validate", "-f", path);

        Assert.True(result.ExitCode == 1, result.ToString());
        var line = Assert.Single(result.Error.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith("error: ", line, StringComparison.Ordinal);
        Assert.Contains(expected, line, StringComparison.Ordinal);
    }

    [Fact]
    public async Task PolicyApply_InvalidFile_ChangesNothing()
    {
        var apply = await server.Cli().RunAsync("policy", "apply", "-f", File("invalid.yaml"));
        var get = await server.Cli().RunAsync("get", "policies", "clitest/cli-broken");

        Assert.Equal(1, apply.ExitCode);
        Assert.Equal(1, get.ExitCode);
        Assert.StartsWith("error: not found (404)", get.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task PolicyApply_NewThenAgain_CreatesThenUnchangedAndGetShowsThem()
    {
        var first = await server.Cli().RunAsync("policy", "apply", "-f", File("valid-two.yaml"), "-n", "clitest");
        var second = await server.Cli().RunAsync("policy", "apply", "-f", File("valid-two.yaml"), "-n", "clitest");
        var table = await server.Cli().RunAsync("get", "policies", "-n", "clitest");
        var json = await server.Cli().RunAsync("get", "policies", "-n", "clitest", "-o", "json");

        Assert.True(first.ExitCode == 0, first.ToString());
        Assert.Contains("scalepolicy clitest/cli-orders created", first.Output, StringComparison.Ordinal);
        Assert.True(second.ExitCode == 0, second.ToString());
        Assert.Equal(["scalepolicy clitest/cli-orders unchanged", "scalepolicy clitest/cli-search unchanged"], second.Lines);

        Assert.Equal(["NAME", "TARGET", "MODE", "MIN", "MAX", "CURRENT", "DESIRED", "STATE", "AGE"],
            table.Lines[0].Split(' ', StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains(table.Lines, l => l.StartsWith("cli-orders ", StringComparison.Ordinal) && l.Contains("Deployment/orders", StringComparison.Ordinal) && l.Contains("Approval", StringComparison.Ordinal));
        Assert.Contains(table.Lines, l => l.StartsWith("cli-search ", StringComparison.Ordinal) && l.Contains("Auto", StringComparison.Ordinal));

        var names = json.Json.AsArray().Select(p => p!["metadata"]!["name"]!.GetValue<string>()).Order().ToList();
        Assert.Equal(["cli-orders", "cli-search"], names);
    }

    [Fact]
    public async Task PolicyApply_OneSpecChanged_ThatOneConfiguredTheOtherUnchanged()
    {
        var original = System.IO.File.ReadAllText(File("valid-two.yaml"));
        var path = Path.Combine(Path.GetTempPath(), $"scalectl-{Guid.NewGuid():N}.yaml");
        System.IO.File.WriteAllText(path, original.Replace("maxReplicas: 20", "maxReplicas: 25", StringComparison.Ordinal));

        await server.Cli().RunAsync("policy", "apply", "-f", File("valid-two.yaml"), "-n", "clitest");
        var changed = await server.Cli().RunAsync("policy", "apply", "-f", path, "-n", "clitest");
        var restored = await server.Cli().RunAsync("policy", "apply", "-f", File("valid-two.yaml"), "-n", "clitest");

        Assert.True(changed.ExitCode == 0, changed.ToString());
        Assert.Equal(["scalepolicy clitest/cli-orders configured", "scalepolicy clitest/cli-search unchanged"], changed.Lines);
        Assert.Contains("scalepolicy clitest/cli-orders configured", restored.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task PolicyApply_FileWithoutOverrides_KeepsTheStoredEventAndFreeze()
    {
        // Re-applying the policy file (a threshold tweak an hour before the push) must not drop the announced event's floor.
        var path = Path.Combine(Path.GetTempPath(), $"scalectl-{Guid.NewGuid():N}.yaml");
        var yaml = """
            metadata: {name: cli-kept, namespace: clikept}
            spec:
              target: {kind: Deployment, name: kept}
              metrics: [{name: qps, query: 'sum(rate(http_requests_total{service="kept"}[1m]))', target: 100}]
              minReplicas: 2
              maxReplicas: 20
              mode: Auto
            """;
        System.IO.File.WriteAllText(path, yaml);
        var lowered = Path.Combine(Path.GetTempPath(), $"scalectl-{Guid.NewGuid():N}.yaml");
        System.IO.File.WriteAllText(lowered, yaml.Replace("maxReplicas: 20", "maxReplicas: 10", StringComparison.Ordinal));

        var created = await server.Cli().RunAsync("policy", "apply", "-f", path);
        var prepare = await server.Cli().RunAsync("prepare", "clikept/cli-kept", "--at", "+2h", "--replicas", "12", "--for", "20m", "--name", "push", "--reason", "push to 30M users");
        var freeze = await server.Cli().RunAsync("freeze", "clikept/cli-kept", "--for", "30m", "--reason", "db migration");
        var again = await server.Cli().RunAsync("policy", "apply", "-f", path);
        var capped = await server.Cli().RunAsync("policy", "apply", "-f", lowered);
        var json = await server.Cli().RunAsync("get", "policies", "clikept/cli-kept", "-o", "json");

        Assert.True(created.ExitCode == 0 && prepare.ExitCode == 0 && freeze.ExitCode == 0, $"{created}\n{prepare}\n{freeze}");
        Assert.True(again.ExitCode == 0, again.ToString());
        Assert.Equal(["scalepolicy clikept/cli-kept unchanged (kept from the stored policy: freeze, expected event push)"], again.Lines);
        // maxReplicas lowered below the kept event's 12 (a storm's guardrail): applied, the event kept (its floor is
        // capped by maxReplicas when it counts), not refused over an operator's announcement.
        Assert.True(capped.ExitCode == 0, capped.ToString());
        Assert.Equal(["scalepolicy clikept/cli-kept configured (kept from the stored policy: freeze, expected event push)"], capped.Lines);
        var spec = json.Json["spec"]!;
        Assert.Equal("push", Assert.Single(spec["expectedEvents"]!.AsArray())!["name"]!.GetValue<string>());
        Assert.Equal("db migration", spec["freeze"]!["reason"]!.GetValue<string>());
        Assert.Equal(10, spec["maxReplicas"]!.GetValue<int>());
    }

    [Fact]
    public async Task DescribePolicy_WithGuardrails_ShowsScaleDownModeBehaviorSchedulesAndEscalation()
    {
        var apply = await server.Cli().RunAsync("policy", "apply", "-f", File("described.yaml"));
        var result = await server.Cli().RunAsync("describe", "policy", "clitest/cli-described");

        Assert.True(apply.ExitCode == 0, apply.ToString());
        Assert.True(result.ExitCode == 0, result.ToString());
        string? Value(string key) => result.Lines.FirstOrDefault(l => l.TrimStart().StartsWith(key + ":", StringComparison.Ordinal))?.Split(':', 2)[1].Trim();
        Assert.Equal("Auto", Value("Scale-Down Mode"));
        Assert.Contains("Behavior:", result.Lines);
        Assert.Equal("max step 4 pods or 50% per 30s, stabilization 0s, cooldown 1m, tolerance 5%", Value("Scale Up"));
        Assert.Equal("max step 10% per 1m, stabilization 5m, cooldown 2m", Value("Scale Down"));
        Assert.Equal("5 changes per 10m", Value("Change Budget"));
        Assert.Contains("Schedules:", result.Lines);
        Assert.Equal("min 8 replicas, cron \"0 11 * * *\" (Asia/Shanghai) for 2h, not on 2026-10-01, 2026-10-02", Value("lunch"));
        Assert.Equal("after 2m: Sms DING to zhangsan", Value("Escalation"));
    }

    [Fact]
    public async Task DescribePolicy_Follower_ShowsWhatItFollowsInsteadOfMetrics()
    {
        var apply = await server.Cli().RunAsync("policy", "apply", "-f", File("follower.yaml"));
        var result = await server.Cli().RunAsync("describe", "policy", "clifollow/cli-follower");

        Assert.True(apply.ExitCode == 0, apply.ToString());
        Assert.True(result.ExitCode == 0, result.ToString());
        string? Value(string key) => result.Lines.FirstOrDefault(l => l.TrimStart().StartsWith(key + ":", StringComparison.Ordinal))?.Split(':', 2)[1].Trim();
        Assert.Contains("Follows:", result.Lines);
        Assert.DoesNotContain("Metrics:", result.Lines);
        Assert.Equal("Deployment clitest/described", Value("Workload"));
        Assert.StartsWith("0.5 replicas per replica of the leader", Value("Ratio"), StringComparison.Ordinal);
        Assert.StartsWith("cli-chain", Value("Group"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task PolicyApply_AsOperator_IsForbidden()
    {
        var result = await server.Cli(CliSandbox.OperatorToken).RunAsync("policy", "apply", "-f", File("valid-two.yaml"), "-n", "clitest");

        Assert.Equal(1, result.ExitCode);
        Assert.StartsWith("error: forbidden (403)", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task PolicyApply_OneDocumentWithJsonOutput_PrintsTheStoredPolicy()
    {
        var yaml = System.IO.File.ReadAllText(File("valid-two.yaml")).Split("---")[1];
        var path = Path.Combine(Path.GetTempPath(), $"scalectl-{Guid.NewGuid():N}.yaml");
        System.IO.File.WriteAllText(path, yaml);

        var result = await server.Cli().RunAsync("policy", "apply", "-f", path, "-n", "clitest", "-o", "json");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal("cli-search", result.Json["metadata"]!["name"]!.GetValue<string>());
        Assert.Equal("clitest", result.Json["metadata"]!["namespace"]!.GetValue<string>());
        Assert.IsType<JsonObject>(result.Json["spec"]);
    }
}
