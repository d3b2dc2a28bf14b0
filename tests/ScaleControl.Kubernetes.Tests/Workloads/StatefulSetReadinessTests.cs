using k8s.Models;
using ScaleControl.Kubernetes.Workloads;

namespace ScaleControl.Kubernetes.Tests.Workloads;

public class StatefulSetReadinessTests
{
    [Theory]
    [InlineData(3, 3, 3, 3, "db-a", "db-a", 3)] // steady: every pod serves
    [InlineData(5, 5, 2, 2, "db-a", "db-a", 2)] // scaled 5 → 2: three ready pods terminate
    [InlineData(4, 4, 1, 2, "db-a", "db-b", 3)] // mid-rollout (1 old, 2 new) with one pod terminating
    [InlineData(5, 3, 2, 2, "db-a", "db-a", 0)] // terminating pods that are no longer ready: errs low, never below 0
    public void Serving_TakesTerminatingPodsOffTheReadyCount(int replicas, int ready, int current, int updated, string currentRevision, string updateRevision, int serving)
    {
        var status = new V1StatefulSetStatus
        {
            Replicas = replicas, ReadyReplicas = ready, CurrentReplicas = current, UpdatedReplicas = updated,
            CurrentRevision = currentRevision, UpdateRevision = updateRevision,
        };

        Assert.Equal(serving, StatefulSetReadiness.Serving(status));
    }

    [Fact]
    public void Serving_StatusWithoutRevisions_IsTheReadyCount() =>
        Assert.Equal(2, StatefulSetReadiness.Serving(new V1StatefulSetStatus { Replicas = 3, ReadyReplicas = 2 }));

    [Fact]
    public void Serving_NoStatusYet_IsUnknown() =>
        Assert.Null(StatefulSetReadiness.Serving(null));
}
