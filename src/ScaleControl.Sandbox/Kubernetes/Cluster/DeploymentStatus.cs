using System.Globalization;
using System.Text.Json.Nodes;

namespace ScaleControl.Sandbox.Kubernetes.Cluster;

/// <summary>What a Deployment's status counts, read from its ReplicaSets' pods and specs.</summary>
/// <param name="Replicas">Pods of all its ReplicaSets.</param>
/// <param name="Updated">Pods of the ReplicaSet of its template.</param>
/// <param name="Ready">Ready pods of all its ReplicaSets.</param>
/// <param name="Available">Pods ready for their ReplicaSet's minReadySeconds (GetAvailableReplicaCountForReplicaSets).</param>
/// <param name="SpecReplicas">The sum of its ReplicaSets' spec.replicas: what unavailableReplicas counts against.</param>
internal sealed record DeploymentCounts(int Replicas, int Updated, int Ready, int Available, int SpecReplicas);

/// <summary>
/// A Deployment's status as the deployment controller writes it: calculateStatus (counts and the Available
/// condition) and syncRolloutStatus (the Progressing condition, its progress deadline and ProgressDeadlineExceeded).
/// </summary>
internal static class DeploymentStatus
{
    public static void Write(JsonObject status, WorkloadState deployment, DeploymentStrategy strategy, string? newReplicaSet, DeploymentCounts counts, DateTimeOffset now)
    {
        var stamp = Timestamps.Format(now);
        var desired = deployment.Replicas;
        var before = (Replicas: Int(status, "replicas"), Updated: Int(status, "updatedReplicas"), Ready: Int(status, "readyReplicas"), Available: Int(status, "availableReplicas"));
        status["observedGeneration"] = deployment.Generation;
        status["replicas"] = counts.Replicas;
        status["updatedReplicas"] = counts.Updated;
        status["readyReplicas"] = counts.Ready;
        status["availableReplicas"] = counts.Available;
        var unavailable = Math.Max(0, counts.SpecReplicas - counts.Available);
        if (unavailable > 0)
        {
            status["unavailableReplicas"] = unavailable;
        }
        else
        {
            status.Remove("unavailableReplicas"); // omitempty
        }

        var minimum = desired - strategy.MaxUnavailable(desired);
        if (counts.Available >= minimum)
        {
            DeploymentConditions.Set(status, "Available", true, "MinimumReplicasAvailable", "Deployment has minimum availability.", stamp);
        }
        else
        {
            DeploymentConditions.Set(status, "Available", false, "MinimumReplicasUnavailable", "Deployment does not have minimum availability.", stamp);
        }

        if (!strategy.HasProgressDeadline)
        {
            DeploymentConditions.Remove(status, "Progressing");
            return;
        }

        // checkPausedConditions; a paused Deployment is synced by sync(), which estimates no progress (nor a deadline).
        var progressing = PausedOrResumed(status, deployment.Paused, stamp);
        if (deployment.Paused)
        {
            return;
        }

        var subject = newReplicaSet is null ? $"Deployment \"{deployment.Name}\"" : $"ReplicaSet \"{newReplicaSet}\"";
        var alreadyComplete = counts.Replicas == counts.Updated && (string?)progressing?["reason"] == "NewReplicaSetAvailable";
        if (alreadyComplete)
        {
            return;
        }

        if (counts.Updated == desired && counts.Replicas == desired && counts.Available == desired)
        {
            DeploymentConditions.Set(status, "Progressing", true, "NewReplicaSetAvailable", $"{subject} has successfully progressed.", stamp);
        }
        else if (counts.Updated > before.Updated || counts.Replicas - counts.Updated < before.Replicas - before.Updated
            || counts.Ready > before.Ready || counts.Available > before.Available)
        {
            // Progress moves lastUpdateTime even when the reason stays: the deadline counts from the last progress.
            var keep = (string?)progressing?["status"] == "True" ? (string?)progressing?["lastTransitionTime"] : null;
            DeploymentConditions.Remove(status, "Progressing");
            DeploymentConditions.Set(status, "Progressing", true, "ReplicaSetUpdated", $"{subject} is progressing.", stamp, keep);
        }
        else if (TimedOut(progressing, strategy.ProgressDeadlineSeconds!.Value, now))
        {
            DeploymentConditions.Set(status, "Progressing", false, "ProgressDeadlineExceeded", $"{subject} has timed out progressing.", stamp);
        }
    }

    // checkPausedConditions: Progressing turns Unknown DeploymentPaused when paused and Unknown DeploymentResumed
    // when resumed (so the deadline counts from the resume), but a ProgressDeadlineExceeded stays.
    private static JsonObject? PausedOrResumed(JsonObject status, bool paused, string stamp)
    {
        var progressing = DeploymentConditions.Get(status, "Progressing");
        var reason = (string?)progressing?["reason"];
        if (reason == "ProgressDeadlineExceeded")
        {
            return progressing;
        }

        if (paused && reason != "DeploymentPaused")
        {
            DeploymentConditions.Set(status, "Progressing", null, "DeploymentPaused", "Deployment is paused", stamp);
        }
        else if (!paused && reason == "DeploymentPaused")
        {
            DeploymentConditions.Set(status, "Progressing", null, "DeploymentResumed", "Deployment is resumed", stamp);
        }

        return DeploymentConditions.Get(status, "Progressing");
    }

    // DeploymentTimedOut: no progress for progressDeadlineSeconds since the condition's lastUpdateTime.
    private static bool TimedOut(JsonObject? progressing, int deadlineSeconds, DateTimeOffset now)
    {
        var reason = (string?)progressing?["reason"];
        if (progressing is null || reason == "NewReplicaSetAvailable")
        {
            return false;
        }

        return reason == "ProgressDeadlineExceeded"
            || (DateTimeOffset.TryParse((string?)progressing["lastUpdateTime"], CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var from)
                && from.AddSeconds(deadlineSeconds) < now);
    }

    private static int Int(JsonObject status, string key) => status[key] is JsonValue v && v.TryGetValue<int>(out var n) ? n : 0;
}
