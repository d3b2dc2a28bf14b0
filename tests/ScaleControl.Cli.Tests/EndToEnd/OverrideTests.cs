namespace ScaleControl.Cli.Tests.EndToEnd;

/// <summary>Overrides during an incident: pin a workload for two hours, freeze a policy, and take both back.</summary>
[Collection(CliSandboxCollection.Name)]
public sealed class OverrideTests(CliSandbox server)
{
    [Fact]
    public async Task ScaleThenUnpin_AsOperator_PinsShowsInGetAndHistoryThenReleases()
    {
        var incident = await SandboxPolicy.NeedingApprovalAsync(server);
        var policy = await SandboxPolicy.OtherThanAsync(server, incident);
        var zhangsan = server.Cli(CliSandbox.OperatorToken);

        var scale = await zhangsan.RunAsync("scale", policy.WorkloadId, "--replicas", "7", "--for", "2h", "--reason", "gala night");
        var pinned = await zhangsan.RunAsync("get", "policies", policy.Id);
        var history = await zhangsan.RunAsync("get", "history", "-n", policy.Namespace, "--since", "5m", "-o", "json");
        var wide = await zhangsan.RunAsync("get", "history", "-n", policy.Namespace, "--since", "5m", "-o", "wide");
        var unpin = await zhangsan.RunAsync("unpin", policy.Workload, "-n", policy.Namespace);
        var released = await zhangsan.RunAsync("get", "policies", policy.Id);

        Assert.True(scale.ExitCode == 0, scale.ToString());
        Assert.Equal($"workload {policy.WorkloadId} pinned at 7 replicas for 2h (policy {policy.Name})", scale.Output.Trim());
        Assert.Contains("Pinned 7 (", pinned.Lines[1], StringComparison.Ordinal);
        Assert.Contains(history.Json.AsArray(), e => e!["kind"]!.GetValue<string>() == "Pinned" && e["workload"]!.GetValue<string>() == policy.Workload
            && e["reason"]!.GetValue<string>().Contains("gala night", StringComparison.Ordinal));
        Assert.True(wide.ExitCode == 0, wide.ToString());
        Assert.Contains("REASON", wide.Lines[0], StringComparison.Ordinal);
        Assert.Contains(wide.Lines, l => l.Contains("Pinned", StringComparison.Ordinal) && l.Contains("gala night", StringComparison.Ordinal));
        Assert.True(unpin.ExitCode == 0, unpin.ToString());
        Assert.StartsWith($"workload {policy.WorkloadId} unpinned", unpin.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("Pinned", released.Lines[1], StringComparison.Ordinal);
    }

    [Fact]
    public async Task Scale_ByNonApprover_BecomesAProposalAndScalesNothing()
    {
        var admin = server.Cli(CliSandbox.AdminToken); // "admin" is not on the seeded approver rosters

        var scale = await admin.RunAsync("scale", "feed/feed-service", "--replicas", "9", "--for", "10m", "--reason", "sale");
        var name = scale.Output.Split("proposal feed/", 2)[^1].Split(' ', 2)[0];
        var withdraw = await admin.RunAsync("reject", $"feed/{name}", "--reason", "test done");

        Assert.True(scale.ExitCode == 0, scale.ToString());
        Assert.StartsWith("pin of feed/feed-service at 9 replicas awaits approval: proposal feed/", scale.Output, StringComparison.Ordinal);
        Assert.True(withdraw.ExitCode == 0, withdraw.ToString());
    }

    [Fact]
    public async Task Scale_BelowMinimum_RefusedNamingTheFlag()
    {
        var scale = await server.Cli(CliSandbox.OperatorToken).RunAsync("scale", "video/video-transcoder", "--replicas", "1", "--for", "1m", "--reason", "x");

        Assert.NotEqual(0, scale.ExitCode);
        Assert.Contains("--allow-outside-bounds", scale.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task FreezeThenUnfreeze_AsOperator_FreezesShowsStateThenThaws()
    {
        var incident = await SandboxPolicy.NeedingApprovalAsync(server);
        var policy = await SandboxPolicy.OtherThanAsync(server, incident);
        var zhangsan = server.Cli(CliSandbox.OperatorToken);

        var freeze = await zhangsan.RunAsync("freeze", policy.Id, "--for", "1h30m", "--reason", "deploy in progress");
        var frozen = await zhangsan.RunAsync("describe", "policy", policy.Id);
        // The loop's next evaluation records the hold on the status: why a tap on the policy's card would wait.
        var held = await CliSandbox.EventuallyAsync(async () => (await zhangsan.RunAsync("describe", "policy", policy.Id)).Lines
            .FirstOrDefault(l => l.TrimStart().StartsWith("Held By:", StringComparison.Ordinal)), TimeSpan.FromSeconds(30), "the freeze on the policy's status");
        var history = await zhangsan.RunAsync("get", "history", "-n", policy.Namespace, "--since", "5m", "-o", "json");
        var unfreeze = await zhangsan.RunAsync("unfreeze", policy.Id);
        var thawed = await zhangsan.RunAsync("get", "policies", policy.Id, "-o", "json");

        Assert.True(freeze.ExitCode == 0, freeze.ToString());
        Assert.Equal($"policy {policy.Id} frozen for 1h30m", freeze.Output.Trim());
        Assert.Contains(frozen.Lines, l => l.StartsWith("Frozen Until:", StringComparison.Ordinal) && l.Contains("deploy in progress", StringComparison.Ordinal));
        Assert.Matches(@"^\s*Held By:\s+freeze$", held); // a person's stop: no count held back
        Assert.Contains(history.Json.AsArray(), e => e!["kind"]!.GetValue<string>() == "Frozen" && e["reason"]?.GetValue<string>() == "deploy in progress");
        Assert.True(unfreeze.ExitCode == 0, unfreeze.ToString());
        var freezeNode = thawed.Json["spec"]!["freeze"];
        Assert.True(freezeNode is null || DateTimeOffset.Parse(freezeNode["until"]!.GetValue<string>(), System.Globalization.CultureInfo.InvariantCulture) <= DateTimeOffset.UtcNow);
    }

    [Fact]
    public async Task Unfreeze_NotFrozen_SaysNothingWasChanged()
    {
        var incident = await SandboxPolicy.NeedingApprovalAsync(server);
        var policy = await SandboxPolicy.OtherThanAsync(server, incident);
        var zhangsan = server.Cli(CliSandbox.OperatorToken);
        await zhangsan.RunAsync("freeze", policy.Id, "--for", "10m", "--reason", "twice");

        var first = await zhangsan.RunAsync("unfreeze", policy.Id);
        var second = await zhangsan.RunAsync("unfreeze", policy.Id);

        Assert.True(first.ExitCode == 0, first.ToString());
        Assert.Equal($"policy {policy.Id} unfrozen", first.Output.Trim());
        Assert.True(second.ExitCode == 0, second.ToString());
        Assert.Equal($"policy {policy.Id} was not frozen; nothing was changed", second.Output.Trim());
    }

    [Fact]
    public async Task Unpin_NotPinned_SaysNothingWasChanged()
    {
        var policy = (await SandboxPolicy.ListAsync(server))[0];
        var zhangsan = server.Cli(CliSandbox.AdminToken);
        await zhangsan.RunAsync("unpin", policy.Workload, "-n", policy.Namespace); // whatever an earlier test left

        var result = await zhangsan.RunAsync("unpin", policy.Workload, "-n", policy.Namespace);

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal($"workload {policy.Namespace}/{policy.Workload} was not pinned; nothing was changed", result.Output.Trim());
    }

    [Theory]
    [InlineData("json")]
    [InlineData("yaml")]
    public async Task Freeze_StructuredOutput_PrintsThePolicyWithItsFreeze(string format)
    {
        var incident = await SandboxPolicy.NeedingApprovalAsync(server);
        var policy = await SandboxPolicy.OtherThanAsync(server, incident);

        var freeze = await server.Cli().RunAsync("freeze", policy.Id, "--for", "10m", "--reason", $"check {format}", "-o", format);
        await server.Cli().RunAsync("unfreeze", policy.Id);

        Assert.True(freeze.ExitCode == 0, freeze.ToString());
        var node = ReadCommandsTests.Parse(format, freeze.Output);
        Assert.Equal($"check {format}", node["spec"]!["freeze"]!["reason"]!.GetValue<string>());
    }
}
