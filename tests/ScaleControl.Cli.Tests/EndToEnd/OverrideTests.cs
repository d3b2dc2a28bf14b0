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
        var unpin = await zhangsan.RunAsync("unpin", policy.Workload, "-n", policy.Namespace);
        var released = await zhangsan.RunAsync("get", "policies", policy.Id);

        Assert.True(scale.ExitCode == 0, scale.ToString());
        Assert.Equal($"workload {policy.WorkloadId} pinned at 7 replicas for 2h (policy {policy.Name})", scale.Output.Trim());
        Assert.Contains("Pinned 7 (", pinned.Lines[1], StringComparison.Ordinal);
        Assert.Contains(history.Json.AsArray(), e => e!["kind"]!.GetValue<string>() == "Pinned" && e["workload"]!.GetValue<string>() == policy.Workload);
        Assert.True(unpin.ExitCode == 0, unpin.ToString());
        Assert.StartsWith($"workload {policy.WorkloadId} unpinned", unpin.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("Pinned", released.Lines[1], StringComparison.Ordinal);
    }

    [Fact]
    public async Task FreezeThenUnfreeze_AsOperator_FreezesShowsStateThenThaws()
    {
        var incident = await SandboxPolicy.NeedingApprovalAsync(server);
        var policy = await SandboxPolicy.OtherThanAsync(server, incident);
        var zhangsan = server.Cli(CliSandbox.OperatorToken);

        var freeze = await zhangsan.RunAsync("freeze", policy.Id, "--for", "1h30m", "--reason", "deploy in progress");
        var frozen = await zhangsan.RunAsync("describe", "policy", policy.Id);
        var unfreeze = await zhangsan.RunAsync("unfreeze", policy.Id);
        var thawed = await zhangsan.RunAsync("get", "policies", policy.Id, "-o", "json");

        Assert.True(freeze.ExitCode == 0, freeze.ToString());
        Assert.Equal($"policy {policy.Id} frozen for 1h30m", freeze.Output.Trim());
        Assert.Contains(frozen.Lines, l => l.StartsWith("Frozen Until:", StringComparison.Ordinal) && l.Contains("deploy in progress", StringComparison.Ordinal));
        Assert.True(unfreeze.ExitCode == 0, unfreeze.ToString());
        var freezeNode = thawed.Json["spec"]!["freeze"];
        Assert.True(freezeNode is null || DateTimeOffset.Parse(freezeNode["until"]!.GetValue<string>(), System.Globalization.CultureInfo.InvariantCulture) <= DateTimeOffset.UtcNow);
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
