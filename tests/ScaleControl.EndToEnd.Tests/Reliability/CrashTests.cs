using ScaleControl.EndToEnd.Tests.Infrastructure;
using ScaleControl.Testing.Server;

namespace ScaleControl.EndToEnd.Tests.Reliability;

/// <summary>
/// Crash anywhere: the replica handling a tap is killed for real (SIGKILL at an injected crash point) at each step
/// between "approval accepted" and "card updated". After a restart nothing is lost: the proposal ends Applied, the
/// workload was scaled exactly once, and the card shows the outcome.
/// </summary>
public sealed class CrashTests
{
    [Theory]
    [InlineData("approval-recorded")]
    [InlineData("scale-written")]
    [InlineData("card-updated")]
    [InlineData("outcome-recorded")]
    public async Task KilledAfterTheApprovalIsAccepted_Restarted_ApprovalKept_ScaledOnce_CardCaughtUp(string crashPoint)
    {
        await using var cluster = await SharedCluster.StartAsync();
        var (name, _, to) = await cluster.CreateProposalAsync("crash-" + crashPoint);
        await using (var crashing = await cluster.StartReplicaAsync("replica-a", ("ScaleControl__Testing__CrashAt", crashPoint)))
        {
            await cluster.CardShowsAsync(name, "pending");
            // The card is on the phone a moment before the proposal records it; a tap in between races that write,
            // and a kill right after can lose it. The card reconciler repairs that window after ApplyClaimSeconds
            // (UnrecordedCardTests); waiting here keeps each case on the path it is about.
            await cluster.ProposalRecordsCardAsync(name);
            await cluster.ClearJournalAsync();
            await cluster.TapAsync(name, "zhangsan");
            await crashing.WaitForExitAsync(TimeSpan.FromSeconds(30));
            Assert.Contains($"crash point {crashPoint} reached", crashing.Output);
        }

        await using var restarted = await cluster.StartReplicaAsync("replica-a");
        var proposal = await cluster.ProposalInPhaseAsync(name, "Applied");
        var card = await cluster.CardShowsAsync(name, "applied");
        var status = proposal.GetProperty("status");
        Assert.Equal("Applied", status.GetProperty("phase").GetString());
        Assert.Equal("zhangsan", Assert.Single(status.GetProperty("approvals").EnumerateArray()).GetProperty("user").GetString());
        Assert.Equal(to, await cluster.Sandbox.Kubectl.ReplicasAsync("deployment", SharedCluster.Namespace, SharedCluster.Workload));
        Assert.Equal(1, await cluster.ScaleWritesAsync());
        Assert.Contains($"→ {to}", card.GetProperty("cardData").GetProperty("result").GetString());

        // Settled: later ticks neither scale again nor keep rewriting the card.
        var version = card.GetProperty("version").GetInt32();
        await Task.Delay(TimeSpan.FromSeconds(2));
        Assert.Equal(1, await cluster.ScaleWritesAsync());
        Assert.Equal(version, (await cluster.CardAsync(name)).GetProperty("version").GetInt32());
    }
}
