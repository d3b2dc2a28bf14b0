using System.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using ScaleControl.Kubernetes.Client;
using ScaleControl.Kubernetes.Leadership;
using ScaleControl.Kubernetes.Tests.Infrastructure;
using ScaleControl.Testing.Kubernetes;
using ScaleControl.Testing.Timing;

namespace ScaleControl.Kubernetes.Tests.Integration;

public class LeaderElectionTests
{
    // Real time: a leader whose renewals stall past the renew deadline rightly stops leading (IsLeader checks the last
    // renewal's age), and a starved CI runner stalls for seconds. Scaled by the tests' patience, so only a real loss shows.
    private static readonly double s_leaseSeconds = 2 * Patience.Factor;
    private static readonly double s_renewDeadlineSeconds = 1.5 * Patience.Factor;

    [Fact]
    public async Task TwoReplicas_OneLease_ExactlyOneLeadsAndTheOtherTakesOverWithinTheLeaseDuration()
    {
        await using var sandbox = await KubernetesSandbox.StartAsync();
        var a = Elector(sandbox, "replica-a");
        var b = Elector(sandbox, "replica-b");
        await a.StartAsync(CancellationToken.None);
        await b.StartAsync(CancellationToken.None);

        await Eventually.TrueAsync(() => a.IsLeader || b.IsLeader, "someone leads");
        var (leader, follower) = a.IsLeader ? (a, b) : (b, a);
        for (var i = 0; i < 40; i++)
        {
            Assert.False(a.IsLeader && b.IsLeader, "two leaders at once");
            await Task.Delay(25);
        }

        Assert.True(leader.IsLeader);
        await Eventually.TrueAsync(() => follower.CurrentLeader == leader.Identity, "the follower sees who leads");
        var lease = sandbox.Control.Get("coordination.k8s.io/v1", "Lease", "scalecontrol-system", "scalecontrol-leader")!;
        Assert.Equal(leader.Identity, (string?)lease["spec"]!["holderIdentity"]);

        await leader.StopAsync(CancellationToken.None);
        Assert.False(leader.IsLeader);
        var clock = Stopwatch.StartNew();
        await Eventually.TrueAsync(() => follower.IsLeader, "the follower takes over", TimeSpan.FromSeconds(s_leaseSeconds * 3));

        // The lease expires a lease duration after the last renewal and the follower retries every 0.2 s; the slack
        // covers a starved CI runner (a wall-clock bound, so it scales with the tests' patience).
        Assert.True(clock.Elapsed <= TimeSpan.FromSeconds(s_leaseSeconds) + Patience.Of(1), $"take-over took {clock.Elapsed}");
        await follower.StopAsync(CancellationToken.None);
    }

    [Fact]
    public async Task LeaderStoppedGracefully_ReleasesTheLease_SoTheFollowerTakesOverWithoutWaitingItOut()
    {
        // A lease far longer than the test: before the release on stop, a rolling upgrade left the loop without a leader
        // for the whole lease duration (15 s with the chart's values) each time it replaced the leading pod.
        const double longLease = 600;
        await using var sandbox = await KubernetesSandbox.StartAsync();
        var leader = Elector(sandbox, "replica-a", longLease);
        await leader.StartAsync(CancellationToken.None);
        await Eventually.TrueAsync(() => leader.IsLeader, "replica-a leads");
        var follower = Elector(sandbox, "replica-b", longLease);
        await follower.StartAsync(CancellationToken.None);
        await Eventually.TrueAsync(() => follower.CurrentLeader == leader.Identity, "the follower sees who leads");

        await leader.StopAsync(CancellationToken.None);

        Assert.False(leader.IsLeader);
        await Eventually.TrueAsync(() => follower.IsLeader, "the follower takes the released lease", TimeSpan.FromSeconds(s_leaseSeconds * 3));
        var lease = sandbox.Control.Get("coordination.k8s.io/v1", "Lease", "scalecontrol-system", "scalecontrol-leader")!;
        Assert.Equal(follower.Identity, (string?)lease["spec"]!["holderIdentity"]);
        await follower.StopAsync(CancellationToken.None);
    }

    [Fact]
    public async Task StoppedReplica_LeavesAnotherReplicasLeaseAlone()
    {
        await using var sandbox = await KubernetesSandbox.StartAsync();
        var leader = Elector(sandbox, "replica-a", 600);
        await leader.StartAsync(CancellationToken.None);
        await Eventually.TrueAsync(() => leader.IsLeader, "replica-a leads");
        var follower = Elector(sandbox, "replica-b", 600);
        await follower.StartAsync(CancellationToken.None);
        await Eventually.TrueAsync(() => follower.CurrentLeader == leader.Identity, "the follower sees who leads");

        await follower.StopAsync(CancellationToken.None);

        var lease = sandbox.Control.Get("coordination.k8s.io/v1", "Lease", "scalecontrol-system", "scalecontrol-leader")!;
        Assert.Equal(leader.Identity, (string?)lease["spec"]!["holderIdentity"]);
        Assert.True(leader.IsLeader);
        await leader.StopAsync(CancellationToken.None);
    }

    [Fact]
    public async Task ReplicaWithoutRbacForTheLease_SaysWhyItCannotLead()
    {
        // The elector treats a refused read of the Lease as "not acquired" and says nothing: without the chart's Role
        // bound (or with the Lease in another namespace) a replica never led and never said why.
        const string token = "no-lease-rights";
        await using var sandbox = await KubernetesSandbox.StartAsync(o => o.Users[token] = new("jane", []));
        var kubeconfig = Path.Combine(Path.GetTempPath(), $"lease-rbac-{Guid.NewGuid():N}.kubeconfig");
        await File.WriteAllTextAsync(kubeconfig, $"""
            apiVersion: v1
            kind: Config
            clusters: [{"{"} name: sandbox, cluster: {"{"} server: "{sandbox.Server.BaseUri}" {"}"} {"}"}]
            users: [{"{"} name: jane, user: {"{"} token: {token} {"}"} {"}"}]
            contexts: [{"{"} name: jane, context: {"{"} cluster: sandbox, user: jane {"}"} {"}"}]
            current-context: jane
            """);
        try
        {
            var options = new KubernetesOptions { KubeconfigPath = kubeconfig };
            options.LeaderElection.Identity = "replica-a";
            options.LeaderElection.RetryPeriodSeconds = 0.2;
            var log = new CapturingLogger<KubernetesLeadership>();
            var elector = new KubernetesLeadership(new k8s.Kubernetes(KubernetesClientFactory.BuildConfiguration(options)), options, TimeProvider.System, log);
            await elector.StartAsync(CancellationToken.None);

            await Eventually.TrueAsync(() => log.Entries.Any(e => e.Level == LogLevel.Error), "the refusal is logged");
            var message = log.Entries.First(e => e.Level == LogLevel.Error).Message;
            Assert.Contains("replica-a cannot lead: reading the Lease scalecontrol-system/scalecontrol-leader failed", message, StringComparison.Ordinal);
            Assert.Contains("User \"jane\" cannot get resource \"leases\" in API group \"coordination.k8s.io\"", message, StringComparison.Ordinal);
            Assert.False(elector.IsLeader);
            await elector.StopAsync(CancellationToken.None);
            Assert.Single(log.Entries, e => e.Level == LogLevel.Error); // once, not at every retry
        }
        finally
        {
            File.Delete(kubeconfig);
        }
    }

    private static KubernetesLeadership Elector(SandboxHarness sandbox, string identity, double? leaseSeconds = null)
    {
        var node = sandbox.CreateNode(o =>
        {
            o.LeaderElection.Enabled = true;
            o.LeaderElection.Identity = identity;
            o.LeaderElection.LeaseDurationSeconds = leaseSeconds ?? s_leaseSeconds;
            o.LeaderElection.RenewDeadlineSeconds = s_renewDeadlineSeconds;
            o.LeaderElection.RetryPeriodSeconds = 0.2;
        });
        return node.Services.GetRequiredService<KubernetesLeadership>();
    }
}
