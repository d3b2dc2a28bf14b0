using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using ScaleControl.EndToEnd.Tests.Infrastructure;
using ScaleControl.Testing.Server;
using ScaleControl.Testing.Timing;

namespace ScaleControl.EndToEnd.Tests.Reliability;

/// <summary>
/// Exactly once: 500 approvals of one proposal at the same moment — DingTalk taps and API calls from approvers and a
/// non-approver — against two replicas sharing one cluster make one scale write, and every caller gets a clear answer.
/// </summary>
public sealed class ExactlyOnceTests
{
    private static readonly string[] s_users = ["zhangsan", "lisi", "wangwu"];

    [Fact]
    public async Task FiveHundredConcurrentApprovals_TapsAndApiOnTwoReplicas_OneScaleWrite_EveryCallerAnswered()
    {
        // 250 taps at once on a CI machine of 2 shared cores: the emulator gives each answer 20 s (times the tests' patience,
        // as at a load average of 60 one answer took longer) instead of DingTalk's 2 s. The point here is that every caller
        // gets a clear answer and one scale write happens; TapPathTests holds a tap to the 2 s.
        await using var cluster = await SharedCluster.StartAsync(callbackTimeoutSeconds: Patience.Of(20).TotalSeconds);
        await using var replicaA = await cluster.StartReplicaAsync("replica-a");
        await using var replicaB = await cluster.StartReplicaAsync("replica-b");
        var (name, _, to) = await cluster.CreateProposalAsync("exactly-once");
        await cluster.CardShowsAsync(name, "pending");
        var generation = await GenerationAsync(cluster);
        await cluster.ClearJournalAsync();

        var clients = new[] { replicaA, replicaB }
            .SelectMany(r => s_users.Select(u => (User: u, Client: r.Client(SharedCluster.Tokens[u]))))
            .ToList();
        try
        {
            var calls = Enumerable.Range(0, 500).Select(i => i % 2 == 0
                ? TapAnswerAsync(cluster, name, s_users[i / 2 % 2])
                : ApiAnswerAsync(clients[i / 2 % clients.Count].Client, name));
            var answers = await Task.WhenAll(calls);

            var unclear = answers.Where(a => !a.Clear).ToList();
            Assert.True(unclear.Count == 0, $"{unclear.Count} callers got no clear answer, e.g. {unclear.FirstOrDefault()?.Text}\n--- replica-a ---\n{Tail(replicaA.Output)}\n--- replica-b ---\n{Tail(replicaB.Output)}");
            Assert.True(answers.Count(a => a.Accepted) <= 1, "more than one API caller was told its approval was accepted");
        }
        finally
        {
            foreach (var (_, client) in clients)
            {
                client.Dispose();
            }
        }

        await cluster.CardShowsAsync(name, "applied");
        var status = (await cluster.ProposalInPhaseAsync(name, "Applied")).GetProperty("status");
        Assert.Equal("Applied", status.GetProperty("phase").GetString());
        Assert.Single(status.GetProperty("approvals").EnumerateArray());
        Assert.Single(status.GetProperty("history").EnumerateArray(), t => t.GetProperty("to").GetString() == "Applying");
        Assert.Equal(to, await cluster.Sandbox.Kubectl.ReplicasAsync("deployment", SharedCluster.Namespace, SharedCluster.Workload));
        Assert.Equal(1, await cluster.ScaleWritesAsync());
        Assert.Equal(generation + 1, await GenerationAsync(cluster));
    }

    private static string Tail(string text) => text.Length > 4000 ? text[^4000..] : text;

    private sealed record Answer(bool Clear, bool Accepted, string Text);

    /// <summary>A tap answers clearly when the callback was answered in time, or DingTalk no longer shows the button.</summary>
    private static async Task<Answer> TapAnswerAsync(SharedCluster cluster, string name, string user)
    {
        var answer = await cluster.TapAsync(name, user);
        if (answer.TryGetProperty("tap", out var tap))
        {
            var status = tap.GetProperty("status").GetString();
            return new Answer(status is "Updated" or "NoChange", false, tap.GetRawText());
        }

        // The emulator answers {"error": …}: the button is no longer shown (the card moved on), as DingTalk would hide it.
        return new Answer(answer.TryGetProperty("error", out var error) && error.GetString()!.Contains("is not shown on card", StringComparison.Ordinal), false, answer.GetRawText());
    }

    /// <summary>An API call answers clearly with 200 (accepted, duplicate) or 409 with the reason; never 5xx.</summary>
    private static async Task<Answer> ApiAnswerAsync(HttpClient client, string name)
    {
        using var response = await client.PostAsJsonAsync($"/api/v1/proposals/{SharedCluster.Namespace}/{name}/approve", new { });
        var text = await response.Content.ReadAsStringAsync();
        var body = JsonDocument.Parse(text).RootElement;
        return response.StatusCode switch
        {
            HttpStatusCode.OK => new Answer(true, body.GetProperty("result").GetString() == "Accepted", text),
            HttpStatusCode.Conflict => new Answer(body.TryGetProperty("detail", out var detail) && detail.GetString()!.Length > 0, false, text),
            _ => new Answer(false, false, $"{(int)response.StatusCode}: {text}"),
        };
    }

    private static async Task<long> GenerationAsync(SharedCluster cluster) =>
        long.Parse((await cluster.Sandbox.Kubectl.RunAsync("get", "deployment", SharedCluster.Workload, "-n", SharedCluster.Namespace, "-o", "jsonpath={.metadata.generation}")).StdOut,
            System.Globalization.CultureInfo.InvariantCulture);
}
