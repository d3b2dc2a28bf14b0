using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using ScaleControl.EndToEnd.Tests.Infrastructure;
using ScaleControl.Testing.Server;

namespace ScaleControl.EndToEnd.Tests.Reliability;

/// <summary>
/// Kubernetes failing, as one campaign: two replicas in cluster mode share a cluster that answers their requests
/// with conflicts, 429 with Retry-After, 500s, lost answers (a write applied, its answer a 500 or a hang), expired
/// and dropped watches, and finally cuts the leader off altogether — while proposals are approved and an Auto
/// policy scales. Afterwards: every proposal ended, every scale write belongs to exactly one applied proposal (the
/// cluster's request journal and the workload's generation), a 429's Retry-After was waited for, the cut-off leader
/// did not hammer the API, the other replica took over, and the product works again once the faults stop.
/// </summary>
public sealed class KubernetesFaultCampaignTests
{
    private const string AutoWorkload = "campaign-auto";
    private const int RetryAfterSeconds = 3;
    private static readonly string[] s_terminal = ["Applied", "Rejected", "Expired", "Superseded", "Failed"];

    [Fact]
    public async Task KubernetesFailing_TwoReplicas_NoDuplicateWrites_BackoffHonoured_LeaderTakenOver_EveryProposalEnds()
    {
        await using var cluster = await SharedCluster.StartAsync();
        var kubectl = cluster.Sandbox.Kubectl;
        await kubectl.RunAsync("create", "deployment", AutoWorkload, "--image=registry.example/campaign:1", "--replicas=1", "-n", SharedCluster.Namespace);
        await kubectl.RunAsync("apply", "-f", kubectl.WriteFile($"{AutoWorkload}.yaml", SharedCluster.AutoPolicyWithFloor(AutoWorkload, 2)));
        (string, string)[] settings = [("ScaleControl__Kubernetes__RequestTimeoutSeconds", "3")];
        await using var replicaA = await cluster.StartReplicaAsync("replica-a", settings);
        await cluster.Sandbox.Eventually(() => Task.FromResult(replicaA.Output.Contains("replica-a leading: True", StringComparison.Ordinal)), "replica-a leads", 60);
        await using var replicaB = await cluster.StartReplicaAsync("replica-b", settings);
        await cluster.Sandbox.Eventually(async () => await kubectl.ReplicasAsync("deployment", SharedCluster.Namespace, AutoWorkload) == 2, "the Auto policy scales to its floor of 2", 60);
        await AllProposalsEndAsync(cluster);
        var before = (await ProposalsAsync(cluster)).Select(Name).ToHashSet(StringComparer.Ordinal);
        var clearedAt = DateTimeOffset.UtcNow;
        await cluster.ClearJournalAsync();
        var generations = new Dictionary<string, long>
        {
            [SharedCluster.Workload] = await GenerationAsync(cluster, SharedCluster.Workload),
            [AutoWorkload] = await GenerationAsync(cluster, AutoWorkload),
        };

        // Round 1: a storm on both replicas' requests (limited hits each), watches expired (410) mid-way.
        await ArmAsync(cluster, new { userAgentContains = "scalecontrol/", verb = "update", resource = "deployments/scale", statusCode = 409, times = 2 });
        await ArmAsync(cluster, new { userAgentContains = "scalecontrol/", verb = "update", resource = "deployments/scale", statusCode = 429, retryAfter = $"00:00:0{RetryAfterSeconds}", times = 2 });
        await ArmAsync(cluster, new { userAgentContains = "scalecontrol/", verb = "update", resource = "deployments/scale", statusCode = 500, afterServing = true, times = 1 });
        await ArmAsync(cluster, new { userAgentContains = "scalecontrol/", verb = "update", resource = "scaleproposals/status", statusCode = 500, times = 3 });
        await ArmAsync(cluster, new { userAgentContains = "scalecontrol/", verb = "update", resource = "scaleproposals/status", latency = "00:00:20", afterServing = true, times = 1 });
        await ArmAsync(cluster, new { userAgentContains = "scalecontrol/", verb = "get", statusCode = 503, times = 3 });
        await WatchesAsync(cluster, "expire");
        var (first, _, _) = await cluster.CreateProposalAsync("campaign-1");
        await ApproveAsync(cluster, replicaB, first);
        await kubectl.RunAsync("apply", "-f", kubectl.WriteFile($"{AutoWorkload}.yaml", SharedCluster.AutoPolicyWithFloor(AutoWorkload, 4)));
        await WatchesAsync(cluster, "drop");
        await ProposalEndsAsync(cluster, first);
        await cluster.Sandbox.Eventually(async () => await kubectl.ReplicasAsync("deployment", SharedCluster.Namespace, AutoWorkload) == 4, "the Auto policy scales to 4 through the storm", 90);

        // Round 2: the leader is cut off from the API (every request of replica-a fails); replica-b must take over and act.
        await ArmAsync(cluster, new { userAgentContains = "scalecontrol/replica-a", statusCode = 500 });
        var cutAt = DateTimeOffset.UtcNow;
        await kubectl.RunAsync("apply", "-f", kubectl.WriteFile($"{AutoWorkload}.yaml", SharedCluster.AutoPolicyWithFloor(AutoWorkload, 6)));
        var (second, _, _) = await cluster.CreateProposalAsync("campaign-2");
        await ApproveAsync(cluster, replicaB, second);
        await cluster.Sandbox.Eventually(async () => await kubectl.ReplicasAsync("deployment", SharedCluster.Namespace, AutoWorkload) == 6, "replica-b takes over and scales to 6", 90);
        await ProposalEndsAsync(cluster, second);
        Assert.Contains("replica-b leading: True", replicaB.Output, StringComparison.Ordinal);
        var healedAt = DateTimeOffset.UtcNow;

        // Recovery: the faults stop; a new approval through the once cut-off replica is applied.
        using (var cleared = await cluster.Sandbox.Http.DeleteAsync("/sandbox/k8s-control/faults"))
        {
            cleared.EnsureSuccessStatusCode();
        }

        var (third, _, thirdTo) = await cluster.CreateProposalAsync("campaign-3");
        await cluster.CardShowsAsync(third, "pending", 60);
        await ApproveAsync(cluster, replicaA, third);
        await cluster.ProposalInPhaseAsync(third, "Applied", 90);
        Assert.Equal(thirdTo, await kubectl.ReplicasAsync("deployment", SharedCluster.Namespace, SharedCluster.Workload));
        await AllProposalsEndAsync(cluster);

        // Only requests that arrived after the clear: the sandbox records a request once it is answered, so one that
        // came before (the floor of 2's write, answered a moment before a starved sandbox got to record it) may be
        // recorded after the clear.
        var journal = (await JournalAsync(cluster)).Where(e => Received(e) >= clearedAt).ToList();
        var log = "\n" + await cluster.DescribeAsync();
        var made = (await ProposalsAsync(cluster)).Where(p => !before.Contains(Name(p))).ToList();
        foreach (var workload in generations.Keys)
        {
            // Exactly once: the writes the cluster applied (answered or not) and the Applied proposals match one to one.
            var applied = journal.Count(e => IsScaleWrite(e, workload) && Served(e));
            var proposals = made.Count(p => Target(p) == workload && Phase(p) == "Applied");
            Assert.True(applied == proposals, $"{workload}: {applied} scale writes applied for {proposals} Applied proposals ({string.Join("; ", made.Select(Describe))})\nwrites: {string.Join("\n", journal.Where(e => IsScaleWrite(e, workload)).Select(e => e.GetRawText()))}{log}");
            var generation = await GenerationAsync(cluster, workload);
            Assert.True(generation == generations[workload] + applied, $"{workload}: generation {generations[workload]} → {generation} for {applied} scale writes{log}");
        }

        // Back-off: after a 429 the same replica sent the same request again only after Retry-After. Measured between
        // the two requests' arrivals: the 429 was answered after its arrival and the retry cannot arrive before it was
        // sent, so a slow sandbox can only lengthen the gap seen here, never shorten it.
        var throttled = journal.Where(e => e.GetProperty("statusCode").GetInt32() == 429).ToList();
        Assert.NotEmpty(throttled);
        foreach (var answer in throttled)
        {
            var again = journal.FirstOrDefault(e => Received(e) > Received(answer) && SameRequest(e, answer));
            Assert.True(again.ValueKind == JsonValueKind.Undefined || Received(again) - Received(answer) >= TimeSpan.FromSeconds(RetryAfterSeconds - 1),
                $"retried {(Received(again) - Received(answer)).TotalMilliseconds:0} ms after a 429 with Retry-After {RetryAfterSeconds} s: {answer.GetRawText()} then {again.GetRawText()}{log}");
        }

        // No hot loop: the cut-off replica's failed requests stayed at a few per second at most.
        var failedWhileCut = journal.Count(e => UserAgent(e) == "scalecontrol/replica-a" && Time(e) >= cutAt && Time(e) <= healedAt && e.GetProperty("statusCode").GetInt32() == 500);
        var cutSeconds = Math.Max(1, (healedAt - cutAt).TotalSeconds);
        Assert.True(failedWhileCut <= 10 * cutSeconds + 20, $"replica-a sent {failedWhileCut} failing requests in {cutSeconds:0} s while cut off{log}");
    }

    /// <summary>Ends every open watch: "expire" with ERROR 410 (resuming gets 410 Gone), "drop" without a word.</summary>
    private static async Task WatchesAsync(SharedCluster cluster, string how)
    {
        using var response = await cluster.Sandbox.Http.PostAsync($"/sandbox/k8s-control/watches/{how}", null);
        response.EnsureSuccessStatusCode();
    }

    private static Task ArmAsync(SharedCluster cluster, object fault) => cluster.Sandbox.PostJson("/sandbox/k8s-control/faults", fault);

    /// <summary>Approves through the API until the answer is definite: accepted (200) or the proposal no longer pending (409); a 5xx is retried.</summary>
    private static async Task ApproveAsync(SharedCluster cluster, SandboxServer replica, string name)
    {
        using var zhangsan = replica.Client(SharedCluster.Tokens["zhangsan"]);
        await cluster.Sandbox.Eventually(async () =>
        {
            using var response = await zhangsan.PostAsJsonAsync($"/api/v1/proposals/{SharedCluster.Namespace}/{name}/approve", new { });
            return response.StatusCode is HttpStatusCode.OK or HttpStatusCode.Conflict;
        }, $"zhangsan's approval of {name} is answered", 90);
    }

    private static Task ProposalEndsAsync(SharedCluster cluster, string name) =>
        cluster.Sandbox.Eventually(async () => Phase(await cluster.ProposalAsync(name)) is { } phase && s_terminal.Contains(phase), $"proposal {name} ends", 120);

    private static Task AllProposalsEndAsync(SharedCluster cluster) =>
        cluster.Sandbox.Eventually(async () => (await ProposalsAsync(cluster)).All(p => Phase(p) is { } phase && s_terminal.Contains(phase)), "every proposal ends", 120);

    private static async Task<List<JsonElement>> ProposalsAsync(SharedCluster cluster)
    {
        var json = (await cluster.Sandbox.Kubectl.RunAsync("get", "scaleproposals.scalecontrol.io", "-n", SharedCluster.Namespace, "-o", "json")).StdOut;
        return [.. JsonDocument.Parse(json).RootElement.Clone().GetProperty("items").EnumerateArray()];
    }

    private static async Task<List<JsonElement>> JournalAsync(SharedCluster cluster) =>
        [.. (await cluster.Sandbox.GetJson("/sandbox/k8s-control/journal")).EnumerateArray()];

    private static string? Phase(JsonElement proposal) =>
        proposal.TryGetProperty("status", out var status) && status.TryGetProperty("phase", out var phase) ? phase.GetString() : null;

    private static string Name(JsonElement proposal) => proposal.GetProperty("metadata").GetProperty("name").GetString()!;

    private static string Describe(JsonElement proposal) =>
        $"{Name(proposal)} {Target(proposal)} {Phase(proposal)}: {(proposal.GetProperty("status").TryGetProperty("message", out var m) ? m.GetString() : "")}";

    private static string? Target(JsonElement proposal) => proposal.GetProperty("spec").GetProperty("target").GetProperty("name").GetString();

    private static bool IsScaleWrite(JsonElement entry, string workload) =>
        entry.GetProperty("resource").GetString() == "deployments/scale" && entry.GetProperty("name").GetString() == workload
        && entry.GetProperty("verb").GetString() is "update" or "patch";

    /// <summary>The write changed the cluster: a 2xx, whether or not its answer reached the client.</summary>
    private static bool Served(JsonElement entry) => entry.GetProperty("served").GetBoolean();

    private static bool SameRequest(JsonElement a, JsonElement b) =>
        UserAgent(a) == UserAgent(b) && a.GetProperty("method").GetString() == b.GetProperty("method").GetString()
        && a.GetProperty("path").GetString() == b.GetProperty("path").GetString();

    private static string? UserAgent(JsonElement entry) =>
        entry.TryGetProperty("userAgent", out var agent) && agent.ValueKind == JsonValueKind.String ? agent.GetString() : null;

    private static DateTimeOffset Time(JsonElement entry) => DateTimeOffset.Parse(entry.GetProperty("time").GetString()!, CultureInfo.InvariantCulture);

    private static DateTimeOffset Received(JsonElement entry) => DateTimeOffset.Parse(entry.GetProperty("received").GetString()!, CultureInfo.InvariantCulture);

    private static async Task<long> GenerationAsync(SharedCluster cluster, string workload) =>
        long.Parse((await cluster.Sandbox.Kubectl.RunAsync("get", "deployment", workload, "-n", SharedCluster.Namespace, "-o", "jsonpath={.metadata.generation}")).StdOut,
            CultureInfo.InvariantCulture);
}
