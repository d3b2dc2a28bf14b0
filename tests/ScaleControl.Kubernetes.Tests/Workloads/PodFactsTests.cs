using k8s;
using k8s.Models;
using ScaleControl.Core.Pods;
using ScaleControl.Kubernetes.Workloads;

namespace ScaleControl.Kubernetes.Tests.Workloads;

/// <summary>What a pod as the API server serves it says about why it is not ready.</summary>
public sealed class PodFactsTests
{
    [Fact]
    public void Facts_PendingPod_CarriesTheSchedulersReasonAndMessage()
    {
        var pod = Pod("""
            { "metadata": { "name": "checkout-api-7d9f-x2k4p" }, "spec": { "containers": [ { "name": "api" } ] },
              "status": { "phase": "Pending", "conditions": [ { "type": "PodScheduled", "status": "False", "reason": "Unschedulable",
                "message": "0/4 nodes are available: 4 Insufficient cpu. preemption: 0/4 nodes are available: 4 No preemption victims found for incoming pod." } ] } }
            """);

        var facts = KubernetesWorkloadPods.Facts(pod);

        Assert.Equal((false, false, false, "Unschedulable"), (facts.Ready, facts.Terminating, facts.Bound, facts.NotScheduledReason));
        Assert.StartsWith("0/4 nodes are available: 4 Insufficient cpu.", facts.NotScheduledMessage, StringComparison.Ordinal);
        Assert.Empty(facts.Waiting);
    }

    [Fact]
    public void Facts_BoundPodWithWaitingContainers_InitContainersFirst_AndTerminatingSeen()
    {
        var pod = Pod("""
            { "metadata": { "name": "api-0", "deletionTimestamp": "2026-12-06T20:00:00Z" }, "spec": { "nodeName": "node-a", "containers": [ { "name": "api" } ] },
              "status": { "phase": "Pending",
                "conditions": [ { "type": "PodScheduled", "status": "True" }, { "type": "Ready", "status": "False", "reason": "ContainersNotReady" } ],
                "initContainerStatuses": [ { "name": "migrate", "ready": false, "restartCount": 5, "image": "db-migrate:1", "imageID": "",
                  "state": { "waiting": { "reason": "CrashLoopBackOff", "message": "back-off 2m40s restarting failed container=migrate" } } } ],
                "containerStatuses": [ { "name": "api", "ready": false, "restartCount": 0, "image": "api:1.43", "imageID": "",
                  "state": { "waiting": { "reason": "PodInitializing" } } } ] } }
            """);

        var facts = KubernetesWorkloadPods.Facts(pod);

        Assert.Equal((false, true, true, null), (facts.Ready, facts.Terminating, facts.Bound, facts.NotScheduledReason));
        Assert.Equal(
            new ContainerWaiting[] { new("migrate", "CrashLoopBackOff", "back-off 2m40s restarting failed container=migrate"), new("api", "PodInitializing", null) },
            facts.Waiting);
    }

    private static V1Pod Pod(string json) => KubernetesJson.Deserialize<V1Pod>(json);
}
