using ScaleControl.Testing.Kubernetes;
using k8s;
using k8s.LeaderElection;
using k8s.LeaderElection.ResourceLock;
using ScaleControl.Testing.Timing;

namespace ScaleControl.Sandbox.Tests.Kubernetes;

/// <summary>KubernetesClient's LeaseLock election (GET, POST, PUT with resourceVersion) against the sandbox.</summary>
public sealed class LeaseTests
{
    [Fact]
    public async Task LeaseLock_TwoCandidates_ExactlyOneLeads()
    {
        await using var sandbox = await SandboxHarness.StartAsync();
        using var cts = new CancellationTokenSource(Patience.Of(20));
        var leaders = new System.Collections.Concurrent.ConcurrentBag<string>();
        var electors = new[] { "a", "b" }.Select(id =>
        {
            var elector = new LeaderElector(new LeaderElectionConfig(new LeaseLock(sandbox.Client, "ops", "scalecontrol-leader", id))
            {
                // Scaled: a leader starved past its lease would lose it rightly, and the test would see two leaders.
                LeaseDuration = Patience.Of(3),
                RenewDeadline = Patience.Of(2),
                RetryPeriod = TimeSpan.FromMilliseconds(200),
            });
            elector.OnStartedLeading += () => leaders.Add(id);
            return elector;
        }).ToList();
        var runs = electors.Select(e => e.RunAndTryToHoldLeadershipForeverAsync(cts.Token)).ToList();

        while (leaders.IsEmpty && !cts.IsCancellationRequested)
        {
            await Task.Delay(50);
        }

        await Task.Delay(1000); // several retry periods: the other candidate must not also lead
        var lease = await sandbox.Client.CoordinationV1.ReadNamespacedLeaseAsync("scalecontrol-leader", "ops");
        cts.Cancel();
        await Task.WhenAll(runs.Select(r => r.ContinueWith(_ => { }, TaskScheduler.Default)));
        electors.ForEach(e => e.Dispose());

        var leader = Assert.Single(leaders);
        Assert.Equal(leader, lease.Spec.HolderIdentity);
        Assert.Contains(sandbox.Control.Journal, e => e is { Verb: "update", Resource: "leases", StatusCode: 200 });
    }
}
