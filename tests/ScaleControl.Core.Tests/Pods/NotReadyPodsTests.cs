using ScaleControl.Core.Pods;

namespace ScaleControl.Core.Tests.Pods;

/// <summary>Why READY is below CURRENT, in the words an SRE on call needs, from the pods one bounded read found.</summary>
public sealed class NotReadyPodsTests
{
    private const string FullNodes =
        "0/4 nodes are available: 4 Insufficient cpu. preemption: 0/4 nodes are available: 4 No preemption victims found for incoming pod.";

    [Fact]
    public void Of_PodsTheSchedulerCannotPlace_OneLineWithTheSchedulersMessage()
    {
        var pods = Ready(9).Concat(Enumerable.Range(0, 3).Select(i => Unschedulable($"p{i}", FullNodes)));

        var summary = NotReadyPods.Of(new WorkloadPods([.. pods], false), current: 12);

        var group = Assert.Single(summary.Groups);
        Assert.Equal((NotReadyCause.Unschedulable, "Unschedulable", 3, FullNodes), (group.Cause, group.Reason, group.Pods, group.Message));
        Assert.Equal([$"3 of 12 pods Pending: {FullNodes}"], summary.Lines);
        Assert.Equal((3, 12, false), (summary.Pods, summary.PodsRead, summary.Truncated));
    }

    [Fact]
    public void Of_MixedReasons_PendingFirstThenStuckContainersThenStarting()
    {
        WorkloadPods read = new(
        [
            .. Ready(2),
            Bound("a", new ContainerWaiting("api", "ContainerCreating", null)),
            Bound("b"), // running, readiness probe not passed yet
            Bound("c", new ContainerWaiting("api", "ImagePullBackOff", "Back-off pulling image \"registry.example.com/api:1.43\"")),
            Bound("d", new ContainerWaiting("init-db", "CrashLoopBackOff", "back-off 5m0s restarting failed container=init-db"), new ContainerWaiting("api", "PodInitializing", null)),
            Bound("e", new ContainerWaiting("init-db", "CrashLoopBackOff", "back-off 2m40s restarting failed container=init-db")),
            Unschedulable("f", FullNodes),
        ], false);

        var summary = NotReadyPods.Of(read, current: 8);

        Assert.Equal(
        [
            $"1 of 8 pods Pending: {FullNodes}",
            "2 of 8 pods CrashLoopBackOff: back-off 2m40s restarting failed container=init-db",
            "1 of 8 pods ImagePullBackOff: Back-off pulling image \"registry.example.com/api:1.43\"",
            "2 of 8 pods starting (not yet Ready)",
        ], summary.Lines);
        Assert.Equal(6, summary.Pods);
    }

    [Fact]
    public void Of_RolloutRunsMorePodsThanTheCount_CountsOfThePodsThatRun()
    {
        // A bad image rolled out on 4 replicas: the deployment controller keeps 3 old pods and starts 2 that never pull.
        // "2 of 4 pods" beside "3 ready" read as 5 of 4.
        const string backOff = "Back-off pulling image \"nginx:doesnotexist\"";
        WorkloadPods read = new([.. Ready(3), Bound("a", new ContainerWaiting("api", "ImagePullBackOff", backOff)), Bound("b", new ContainerWaiting("api", "ImagePullBackOff", backOff))], false);

        var summary = NotReadyPods.Of(read, current: 4);

        Assert.Equal([$"2 of 5 pods ImagePullBackOff: {backOff}"], summary.Lines);
    }

    [Fact]
    public void Of_PodsOfOneReasonWithDifferentMessages_ShowsTheMessageMostOfThemHave()
    {
        const string older = "0/4 nodes are available: 3 Insufficient cpu, 1 Too many pods. preemption: 0/4 nodes are available: 4 No preemption victims found for incoming pod.";
        WorkloadPods read = new([Unschedulable("a", older), Unschedulable("b", FullNodes), Unschedulable("c", FullNodes)], false);

        var summary = NotReadyPods.Of(read, current: 3);

        Assert.Equal([$"3 of 3 pods Pending: {FullNodes}"], summary.Lines);
    }

    [Fact]
    public void Of_FewerLivePodsThanAsked_CountsTheMissingAsNotCreated_AndIgnoresTerminatingPods()
    {
        var leaving = new PodFacts("old", Ready: false, Terminating: true, Bound: true, null, null, []);
        WorkloadPods read = new([.. Ready(3), leaving, Bound("new", new ContainerWaiting("api", "ContainerCreating", null))], false);

        var summary = NotReadyPods.Of(read, current: 6);

        Assert.Equal(["1 of 6 pods starting (not yet Ready)", "2 of 6 pods not created yet (see the workload's events)"], summary.Lines);
    }

    [Fact]
    public void Of_SchedulingGatedPod_IsWaitingWithItsReason()
    {
        var gated = new PodFacts("g", false, false, false, "SchedulingGated", "Scheduling is blocked due to non-empty scheduling gates", []);

        var summary = NotReadyPods.Of(new WorkloadPods([gated], false), current: 1);

        Assert.Equal(["1 of 1 pod SchedulingGated: Scheduling is blocked due to non-empty scheduling gates"], summary.Lines);
        Assert.Equal(NotReadyCause.Waiting, Assert.Single(summary.Groups).Cause);
    }

    [Fact]
    public void Of_ATruncatedRead_SaysSoAndGuessesNoMissingPods()
    {
        WorkloadPods read = new([.. Ready(1), Unschedulable("a", FullNodes)], Truncated: true);

        var summary = NotReadyPods.Of(read, current: 500);

        Assert.Equal([$"1 of 500 pods Pending: {FullNodes}", "only the first 2 pods were read"], summary.Lines);
    }

    [Fact]
    public void Of_AnUnreadableList_SaysWhyAndCountsNothing()
    {
        var summary = NotReadyPods.Of(WorkloadPods.Unreadable("no permission to list pods in shop"), current: 12);

        Assert.Empty(summary.Groups);
        Assert.Equal(["pods not read: no permission to list pods in shop"], summary.Lines);
    }

    private static IEnumerable<PodFacts> Ready(int count) =>
        Enumerable.Range(0, count).Select(i => new PodFacts($"ready-{i}", true, false, true, null, null, []));

    private static PodFacts Unschedulable(string name, string message) => new(name, false, false, false, "Unschedulable", message, []);

    private static PodFacts Bound(string name, params ContainerWaiting[] waiting) => new(name, false, false, true, null, null, waiting);
}
