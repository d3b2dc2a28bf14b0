using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using ScaleControl.EndToEnd.Tests.Infrastructure;
using ScaleControl.Testing.Server;
using ScaleControl.Testing.Timing;

namespace ScaleControl.EndToEnd.Tests;

/// <summary>
/// The sandbox cluster keeps its state on disk like etcd: a kill -9 and a restart keep it (and a ServiceAccount token
/// issued before still works: the signing key is kept with it), --reset starts fresh. This tests the sandbox itself,
/// so it runs the all-in-one sandbox rather than <see cref="Infrastructure.ProductOnCluster"/>.
/// </summary>
public sealed class DurableSandboxTests
{
    [Fact]
    public async Task KillNineAndRestart_KeepsObjects_ResetStartsFresh()
    {
        var first = await SandboxServer.StartAsync(Fast.Settings());
        var directory = first.WorkingDirectory;
        await RunAsync(first, "create", "namespace", "team");
        await RunAsync(first, "create", "deployment", "api", "-n", "team", "--image=api:1", "--replicas=4");
        await RunAsync(first, "create", "configmap", "settings", "-n", "team", "--from-literal=mode=fast");
        var deploymentUid = await RunAsync(first, "get", "deployment", "api", "-n", "team", "-o", "jsonpath={.metadata.uid}");
        var policyUid = await RunAsync(first, "get", "scalepolicy", "checkout-api", "-n", "shop", "-o", "jsonpath={.metadata.uid}");
        await RunAsync(first, "create", "serviceaccount", "bot", "-n", "team");
        var token = (await RunAsync(first, "create", "token", "bot", "-n", "team")).Trim();
        await first.KillAsync();

        var second = await SandboxServer.StartAsync(Fast.Settings(), directory);
        var keptDeployment = await RunAsync(second, "get", "deployment", "api", "-n", "team", "-o", "jsonpath={.metadata.uid} {.spec.replicas}");
        var keptSetting = await RunAsync(second, "get", "configmap", "settings", "-n", "team", "-o", "jsonpath={.data.mode}");
        var keptPolicy = await RunAsync(second, "get", "scalepolicy", "checkout-api", "-n", "shop", "-o", "jsonpath={.metadata.uid}");
        var botAfterRestart = await RunAsync(second, "--token", token, "auth", "whoami", "-o", "jsonpath={.status.userInfo.username}");
        var restoredBanner = second.Output;
        await second.KillAsync();

        await using var third = await SandboxServer.StartAsync(Fast.Settings(), directory, ["--reset"]);
        var afterReset = await RunAsync(third, "get", "deployments", "-n", "team", "-o", "name");
        var reseededPolicy = await RunAsync(third, "get", "scalepolicy", "checkout-api", "-n", "shop", "-o", "jsonpath={.metadata.uid}");
        var botAfterReset = await third.Kubectl.RunRawAsync("--token", token, "auth", "whoami");

        Assert.Equal($"{deploymentUid} 4", keptDeployment);
        Assert.Equal("fast", keptSetting);
        Assert.Equal(policyUid, keptPolicy);
        Assert.Contains("restored from", restoredBanner, StringComparison.Ordinal);
        Assert.Equal("", afterReset.Trim());
        Assert.NotEqual(policyUid, reseededPolicy);
        Assert.Equal("system:serviceaccount:team:bot", botAfterRestart);
        Assert.Contains("Unauthorized", botAfterReset.StdErr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task KillNineRightAfterAnApprovalWasRecorded_Restarted_TheApprovalIsAppliedOnce()
    {
        var settings = Fast.Settings(("ScaleControl__Loop__ApplyClaimSeconds", "2"));
        var crashing = await SandboxServer.StartAsync(new Dictionary<string, string>(settings) { ["ScaleControl__Testing__CrashAt"] = "approval-recorded" });
        var directory = crashing.WorkingDirectory;
        var from = int.Parse(await RunAsync(crashing, "get", "deployment", "checkout-api", "-n", "shop", "-o", "jsonpath={.spec.replicas}"), CultureInfo.InvariantCulture);
        var to = from > 2 ? from - 1 : from + 1;
        // The admin is not on shop's roster: the override waits for an approver, who taps Approve on its card.
        var pin = await crashing.PostJson("/api/v1/workloads/shop/checkout-api/pin", new { replicas = to, durationSeconds = 600, reason = "crash test" }, SandboxServer.AdminToken);
        var name = pin.GetProperty("metadata").GetProperty("name").GetString()!;
        var card = pin.GetProperty("status").GetProperty("card").GetProperty("outTrackId").GetString()!;
        var created = await crashing.EventuallyJson(async () => (await crashing.Http.GetAsync($"/sandbox/dingtalk/cards/{card}")) is { IsSuccessStatusCode: true } r
            ? (JsonElement?)JsonDocument.Parse(await r.Content.ReadAsStringAsync()).RootElement.GetProperty("createdAt").Clone()
            : null, "the card is posted");
        var tap = new { userId = "zhangsan", actionIds = new[] { "approve" }, @params = new Dictionary<string, string> { ["action"] = "approve", ["replicas"] = $"{to}" } };
        // The tap reaches the product over Stream, which a loaded machine may connect only after the card was sent.
        await crashing.Eventually(async () => (await crashing.GetJson("/sandbox/dingtalk/stream/connections")).EnumerateArray()
            .Any(c => c.GetProperty("subscriptions").EnumerateArray().Any(s => s.GetProperty("topic").GetString() == "/v1.0/card/instances/callback")),
            "the product listens to card callbacks");
        JsonElement? answer = null;
        var died = await Record.ExceptionAsync(async () => answer = await crashing.PostJson($"/sandbox/dingtalk/cards/{card}/tap", tap));
        // The process dies while the tap is answered, or, on a loaded machine, after the emulator's 2 s callback timeout answered.
        Assert.True(died is not null || answer?.GetProperty("tap").GetProperty("status").GetString() == "Timeout", $"the tap was answered: {answer}");
        await crashing.WaitForExitAsync(TimeSpan.FromSeconds(30));
        Assert.Contains("crash point approval-recorded reached", crashing.Output, StringComparison.Ordinal);

        await using var restarted = await SandboxServer.StartAsync(settings, directory);
        var proposal = await restarted.EventuallyJson(async () =>
        {
            var p = await restarted.GetJson($"/api/v1/proposals/shop/{name}", SandboxServer.AdminToken);
            return p.GetProperty("status").GetProperty("phase").GetString() is "Applied" or "Failed" ? p : null;
        }, "the approved proposal ends");

        var status = proposal.GetProperty("status");
        Assert.True(status.GetProperty("phase").GetString() == "Applied", status.GetProperty("message").GetString());
        Assert.Equal("zhangsan", Assert.Single(status.GetProperty("approvals").EnumerateArray()).GetProperty("user").GetString());
        Assert.Equal($"{to}", await RunAsync(restarted, "get", "deployment", "checkout-api", "-n", "shop", "-o", "jsonpath={.spec.replicas}"));

        // The emulator kept the card through the kill (dingtalk.db): the same card, not a re-post, shows the outcome.
        var kept = await restarted.EventuallyJson(async () => (await restarted.Http.GetAsync($"/sandbox/dingtalk/cards/{card}")) is { IsSuccessStatusCode: true } r
            && await r.Content.ReadAsStringAsync() is var body && body.Contains("\"status\":\"applied\"", StringComparison.Ordinal)
                ? (JsonElement?)JsonDocument.Parse(body).RootElement.Clone()
                : null, "the card shows the outcome again");
        Assert.Equal(created.GetString(), kept.GetProperty("createdAt").GetString());
    }

    [Fact]
    public async Task Start_OnADamagedStateFile_ExitsWithOneReadableLine_AndLeavesTheFileAsItWas()
    {
        // Live: the sandbox aborted with the exception and 40 lines of stack trace (exit 134).
        var directory = Directory.CreateTempSubdirectory("scalecontrol-e2e-").FullName;
        try
        {
            var damaged = Path.Combine(Directory.CreateDirectory(Path.Combine(directory, ".scalecontrol", "sandbox")).FullName, "cluster.db");
            var bytes = Enumerable.Range(0, 5000).Select(i => (byte)(i * 31 % 251)).ToArray();
            await File.WriteAllBytesAsync(damaged, bytes);
            var (exitCode, output, error) = await RefusedStart.RunAsync(directory, new Dictionary<string, string>(), "--urls", "http://127.0.0.1:0");

            Assert.Equal(1, exitCode);
            var line = error.Trim();
            Assert.StartsWith($"The sandbox's kept state {damaged} cannot be read", line, StringComparison.Ordinal);
            Assert.Contains("--reset", line, StringComparison.Ordinal);
            Assert.DoesNotContain('\n', line);
            Assert.DoesNotContain("   at ", output, StringComparison.Ordinal);
            Assert.Equal(bytes, await File.ReadAllBytesAsync(damaged));
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [Fact]
    public async Task Start_WhileAnotherSandboxRunsOnTheSameState_ExitsWithOneReadableLine_AndTheFirstKeepsItsCluster()
    {
        // Live: a second `dotnet run` in the same directory (another --urls port) started on the first one's cluster.db,
        // rewrote its kubeconfig to point kubectl at itself, and both overwrote each other's writes; with --reset it
        // deleted the first one's files under it.
        await using var first = await SandboxServer.StartAsync(Fast.Settings());
        await RunAsync(first, "create", "namespace", "team");
        var kubeconfig = await File.ReadAllBytesAsync(first.Kubeconfig);
        var state = Path.Combine(first.WorkingDirectory, ".scalecontrol", "sandbox");

        var (exitCode, output, error) = await RefusedStart.RunAsync(first.WorkingDirectory, new Dictionary<string, string>(), "--urls", "http://127.0.0.1:0", "--reset");

        Assert.Equal(1, exitCode);
        var line = error.Trim();
        Assert.StartsWith($"Another ScaleControl sandbox is running on the state in {state} (it holds sandbox.lock there).", line, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', line);
        Assert.DoesNotContain("   at ", output, StringComparison.Ordinal);
        Assert.Equal(kubeconfig, await File.ReadAllBytesAsync(first.Kubeconfig));
        Assert.Equal("namespace/team", (await RunAsync(first, "get", "namespace", "team", "-o", "name")).Trim());
    }

    private static async Task<string> RunAsync(SandboxServer server, params string[] args) => (await server.Kubectl.RunAsync(args)).StdOut;
}
