using System.Globalization;
using System.Text.Json;
using ScaleControl.EndToEnd.Tests.Infrastructure;
using ScaleControl.Testing.Server;

namespace ScaleControl.EndToEnd.Tests.Reliability;

/// <summary>
/// Leader loss mid-tick: the leader stops (SIGSTOP, as a long GC pause or a starved node would stop it) in the middle
/// of acting on a decision, its lease runs out and the other replica takes over and acts. When the old leader wakes
/// it goes on from where it stopped, believing for a moment that it still leads: it must not write, and the workload
/// is scaled exactly once, by the new leader.
/// </summary>
public sealed class LeaderLossTests
{
    private const string Workload = "fence-api";

    [Theory]
    [InlineData("tick-acting")]
    [InlineData("scale-writing")]
    public async Task LeaderPausedMidTick_LeaseLost_OtherReplicaActsOnce_OldLeaderWritesNothing(string holdPoint)
    {
        await using var cluster = await SharedCluster.StartAsync();
        var kubectl = cluster.Sandbox.Kubectl;
        await kubectl.RunAsync("create", "deployment", Workload, "--image=registry.example/fence-api:1", "--replicas=2", "-n", SharedCluster.Namespace);
        await kubectl.RunAsync("apply", "-f", kubectl.WriteFile($"{Workload}.yaml", SharedCluster.AutoPolicyWithFloor(Workload, 5)));
        var release = Path.Combine(cluster.Sandbox.WorkingDirectory, $"release-{holdPoint}");

        await using var first = await cluster.StartReplicaAsync("replica-a",
            ("ScaleControl__Testing__HoldAt", holdPoint), ("ScaleControl__Testing__HoldUntilFile", release));
        await cluster.Sandbox.Eventually(() => Task.FromResult(first.Output.Contains($"hold point {holdPoint} reached", StringComparison.Ordinal)),
            $"replica-a stops at {holdPoint}", 90);
        await first.PauseAsync();
        try
        {
            await using var second = await cluster.StartReplicaAsync("replica-b");
            // The new leader acts: the floor of 5 is applied once (for scale-writing, after the old claim times out).
            await cluster.Sandbox.Eventually(async () => await kubectl.ReplicasAsync("deployment", SharedCluster.Namespace, Workload) == 5,
                "replica-b scales fence-api to 5", 90);
            var proposal = await AppliedProposalAsync(cluster);
            await cluster.Sandbox.Eventually(() => Task.FromResult(second.Output.Contains("replica-b leading: True", StringComparison.Ordinal)), "replica-b leads");

            // The lease stays replica-b's while replica-a is judged: were replica-b starved past its lease (a loaded CI
            // runner), replica-a could win a new term and write in it, rightly, and those writes could not be told
            // from the held tick's. replica-a's belief that it leads is its own and not touched by this.
            await cluster.Sandbox.PostJson("/sandbox/k8s-control/faults",
                new { userAgentContains = "scalecontrol/replica-a", resource = "leases", verb = "update", statusCode = 409 });

            // The old leader wakes up in the middle of its tick.
            await File.WriteAllTextAsync(release, "go");
            var resumedAt = DateTimeOffset.UtcNow;
            await first.ResumeAsync();
            // It either notices before writing (the fence) or writes: wait for one of the two, then judge.
            List<JsonElement> byOldLeader = [];
            await cluster.Sandbox.Eventually(async () =>
            {
                byOldLeader = [.. (await cluster.WritesAsync()).Where(w => UserAgent(w) == "scalecontrol/replica-a" && Time(w) >= resumedAt.AddSeconds(-1) && IsWorkOf(w, holdPoint))];
                return byOldLeader.Count > 0 || first.Output.Contains("Lost leadership mid-tick", StringComparison.Ordinal);
            }, "replica-a goes on from the hold", 60);
            var story = await cluster.DescribeAsync();
            Assert.True(byOldLeader.Count == 0, $"the old leader wrote after losing its lease: {string.Join("; ", byOldLeader.Select(w => w.GetRawText()))}\n{story}");
            Assert.True(first.Output.Contains("Lost leadership mid-tick", StringComparison.Ordinal), $"replica-a's held tick was not stopped by the fence\n{story}");

            var writes = await cluster.WritesAsync();
            var scaleWrites = writes.Where(w => w.GetProperty("resource").GetString() == "deployments/scale" && w.GetProperty("name").GetString() == Workload).ToList();
            var applied = scaleWrites.Where(w => w.GetProperty("statusCode").GetInt32() < 300).ToList();
            Assert.True(applied.Count == 1 && UserAgent(applied[0]) == "scalecontrol/replica-b",
                $"fence-api's scale was to be written once, by replica-b: {string.Join("; ", applied.Select(w => w.GetRawText()))}\n{story}");
            Assert.Equal(5, await kubectl.ReplicasAsync("deployment", SharedCluster.Namespace, Workload));
            Assert.Equal("Applied", proposal.GetProperty("status").GetProperty("phase").GetString());
        }
        finally
        {
            // A paused process cannot be killed cleanly by the harness's dispose: let it run first.
            if (!first.HasExited)
            {
                await first.ResumeAsync();
            }
        }
    }

    /// <summary>What the held step would write: for tick-acting the Auto proposal and the scale, for scale-writing the scale and the outcome.</summary>
    private static bool IsWorkOf(JsonElement write, string holdPoint)
    {
        var resource = write.GetProperty("resource").GetString();
        return resource is "deployments/scale" or "scaleproposals" or "scaleproposals/status"
            || (holdPoint == "tick-acting" && resource is "scalepolicies/status");
    }

    private static async Task<JsonElement> AppliedProposalAsync(SharedCluster cluster) =>
        await cluster.Sandbox.EventuallyJson(async () =>
        {
            // Read as any client would: kubectl against the sandbox's Kubernetes API.
            var json = (await cluster.Sandbox.Kubectl.RunAsync("get", "scaleproposals.scalecontrol.io", "-n", SharedCluster.Namespace, "-o", "json")).StdOut;
            var list = JsonDocument.Parse(json).RootElement.Clone();
            var mine = list.GetProperty("items").EnumerateArray()
                .Where(p => p.GetProperty("spec").GetProperty("target").GetProperty("name").GetString() == Workload).ToList();
            return mine.Count == 1 && mine[0].GetProperty("status").GetProperty("phase").GetString() == "Applied" ? mine[0] : null;
        }, "one Applied proposal for fence-api", 60);

    private static string? UserAgent(JsonElement write) =>
        write.TryGetProperty("userAgent", out var agent) && agent.ValueKind == JsonValueKind.String ? agent.GetString() : null;

    private static DateTimeOffset Time(JsonElement write) =>
        DateTimeOffset.Parse(write.GetProperty("time").GetString()!, CultureInfo.InvariantCulture);
}
