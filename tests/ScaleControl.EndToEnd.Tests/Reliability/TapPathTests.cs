using System.Text.Json;
using Xunit.Abstractions;
using ScaleControl.EndToEnd.Tests.Infrastructure;
using ScaleControl.Testing.Server;

namespace ScaleControl.EndToEnd.Tests.Reliability;

/// <summary>
/// What one tap costs, measured at the edges: the sandbox cluster's request journal (Kubernetes writes) and the
/// emulator's card history (card versions). The proposal is the truth, the card its view: a tap changes the card once.
/// </summary>
public sealed class TapPathTests(ITestOutputHelper output)
{
    [Fact]
    public async Task ApprovalTap_AnsweredBeforeTheScale_OneCardUpdate_FourKubernetesWrites()
    {
        // Slack for a busy CI machine: the test holds the order (answered before the scale), not a wall-clock figure.
        await using var cluster = await SharedCluster.StartAsync(callbackTimeoutSeconds: 10);
        await using var replica = await cluster.StartReplicaAsync("replica-a");
        var (name, _, to) = await cluster.CreateProposalAsync("tap-path");
        var pending = await cluster.CardShowsAsync(name, "pending");
        var versionBefore = pending.GetProperty("version").GetInt32();
        await cluster.ProposalRecordsCardAsync(name); // else that status write can land after the journal is cleared
        await JournalQuietAboutAsync(cluster, name); // and the loop's own upkeep of the new proposal is done too

        var answer = await cluster.TapAsync(name, "zhangsan");

        // Answered once the approval was recorded, before the scale: the reply says the scaling is under way.
        var tap = answer.GetProperty("tap");
        Assert.Contains(tap.GetProperty("status").GetString(), new[] { "Updated", "NoChange" });
        Assert.EndsWith("scaling now", answer.GetProperty("card").GetProperty("userPrivateData").GetProperty("privateMessage").GetString());
        await cluster.CardShowsAsync(name, "applied");
        Assert.Equal(to, await cluster.Sandbox.Kubectl.ReplicasAsync("deployment", SharedCluster.Namespace, SharedCluster.Workload));

        // Let a few ticks pass: the card reconciler must find nothing to repair.
        await Task.Delay(TimeSpan.FromSeconds(2));
        var card = await cluster.CardAsync(name);
        var publicChanges = PublicCardChanges(card, versionBefore);
        Assert.True(publicChanges == 1, $"the tap changed the card {publicChanges} times:\n{card.GetProperty("history").GetRawText()}");

        // Writes the cluster took; one it refused (409: another writer got there first, and the writer re-reads and
        // tries again) changed nothing and is listed, not counted.
        var requests = (await cluster.WritesAsync()).Where(w => IsAbout(w, name)).ToList();
        var writes = requests.Where(w => w.GetProperty("statusCode").GetInt32() < 300).ToList();
        var listed = string.Join('\n', requests.Select(w => $"{w.GetProperty("verb")} {w.GetProperty("resource")} {w.GetProperty("name")} → {w.GetProperty("statusCode")}"));
        output.WriteLine($"tap answered in {tap.GetProperty("latencyMs").GetDouble():0} ms; card updates for the tap: {publicChanges}; Kubernetes writes for the approval: {writes.Count} of {requests.Count} requests\n{listed}");
        Assert.True(writes.Count <= 4, $"{writes.Count} Kubernetes writes for one approval:\n{listed}");
        Assert.Single(writes, w => w.GetProperty("resource").GetString() == "deployments/scale");

        // Besides them, one record that the approval was used (an Event beside the Lease), so a rewound status cannot
        // apply it again: a write the approval costs too, counted apart.
        var used = (await cluster.WritesAsync()).Where(IsUsedApprovalRecord).ToList();
        output.WriteLine($"used-approval records: {used.Count}");
        Assert.Single(used, w => w.GetProperty("statusCode").GetInt32() < 300);
        await cluster.ProposalInPhaseAsync(name, "Applied");
    }

    /// <summary>
    /// Clears the journal once two seconds (several ticks) pass without a write about the proposal: the loop's upkeep of
    /// a proposal it just found (its card, its shown state) must not be counted as the tap's, nor race the tap's write.
    /// </summary>
    private static async Task JournalQuietAboutAsync(SharedCluster cluster, string proposal)
    {
        for (var attempt = 0; attempt < 15; attempt++)
        {
            await cluster.ClearJournalAsync();
            await Task.Delay(TimeSpan.FromSeconds(2));
            if (!(await cluster.WritesAsync()).Any(w => IsAbout(w, proposal)))
            {
                await cluster.ClearJournalAsync();
                return;
            }
        }

        throw new InvalidOperationException($"the proposal {proposal} kept being written for 30 s before any tap");
    }

    /// <summary>Card versions after <paramref name="since"/> whose public data differs from the version before (private notes do not count).</summary>
    internal static int PublicCardChanges(JsonElement card, int since)
    {
        var versions = card.GetProperty("history").EnumerateArray().ToList();
        var changes = 0;
        for (var i = Math.Max(1, since); i < versions.Count; i++)
        {
            if (versions[i].GetProperty("cardData").GetRawText() != versions[i - 1].GetProperty("cardData").GetRawText())
            {
                changes++;
            }
        }

        return changes;
    }

    /// <summary>The Event that records an approval as used (<c>EventUsedApprovalLedger</c>, by its field manager), beside the Lease.</summary>
    private static bool IsUsedApprovalRecord(JsonElement write) =>
        write.GetProperty("resource").GetString() == "events"
        && write.GetProperty("query").GetString() is { } query && query.Contains("fieldManager=scalecontrol-used-approval", StringComparison.Ordinal);

    /// <summary>Writes an approval makes: its proposal, the workload's scale, Events on the workload.</summary>
    private static bool IsAbout(JsonElement write, string proposal) => write.GetProperty("resource").GetString() switch
    {
        "scaleproposals" or "scaleproposals/status" => write.GetProperty("name").GetString() == proposal,
        "deployments/scale" => write.GetProperty("name").GetString() == SharedCluster.Workload,
        "events" => write.GetProperty("namespace").GetString() == SharedCluster.Namespace,
        _ => false,
    };
}
