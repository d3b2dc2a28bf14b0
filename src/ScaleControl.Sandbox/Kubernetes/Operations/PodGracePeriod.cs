using System.Text.Json.Nodes;
using ScaleControl.Sandbox.Kubernetes.Cluster;
using ScaleControl.Sandbox.Kubernetes.Json;

namespace ScaleControl.Sandbox.Kubernetes.Operations;

/// <summary>
/// A pod's graceful deletion, as kube-apiserver 1.32 marks it: rest.BeforeDelete
/// (staging/src/k8s.io/apiserver/pkg/registry/rest/delete.go) with the pod strategy's CheckGracefulDelete
/// (pkg/registry/core/pod/strategy.go). The grace period is DeleteOptions.gracePeriodSeconds, else the pod's
/// spec.terminationGracePeriodSeconds (0 when unset); 0 for a pod never scheduled or already finished; a negative one
/// is 1. The pod gets deletionTimestamp = now + grace and deletionGracePeriodSeconds = grace, and stays while that is
/// above 0 (the kubelet deletes it with 0 once its containers are stopped: <see cref="Cluster.PodTermination"/>). A
/// later DELETE may only shorten a pending grace period (the deadline moves by the difference); any other is pending
/// and changes nothing.
/// </summary>
internal static class PodGracePeriod
{
    /// <summary>The pod marked for deletion; Pending when a deletion at least as short was already under way (unchanged).</summary>
    public static (JsonObject Pod, bool Pending) Mark(JsonObject pod, JsonObject? options, DateTimeOffset now)
    {
        var requested = Requested(options);
        var metadata = pod.Obj("metadata");
        if (metadata["deletionTimestamp"] is not null)
        {
            var pending = Seconds(metadata["deletionGracePeriodSeconds"]);
            if (pending is null or 0)
            {
                // Not graceful (any more): gone now, or, held by finalizers, marked as the registry's markAsDeleting does.
                if (Timestamps.Parse(JsonPaths.GetString(metadata, "deletionTimestamp")) > now)
                {
                    metadata["deletionTimestamp"] = Timestamps.Format(now);
                }

                metadata["deletionGracePeriodSeconds"] = 0;
                return (pod, false);
            }

            if (requested is not { } shorter || shorter >= pending)
            {
                return (pod, true);
            }

            var deadline = Timestamps.Parse(JsonPaths.GetString(metadata, "deletionTimestamp")) ?? now;
            metadata["deletionTimestamp"] = Timestamps.Format(deadline.AddSeconds(shorter - pending.Value));
            metadata["deletionGracePeriodSeconds"] = shorter;
            return (pod, false);
        }

        var grace = requested ?? Seconds(pod["spec"]?["terminationGracePeriodSeconds"]) ?? 0;
        if (string.IsNullOrEmpty(JsonPaths.GetString(pod, "spec.nodeName")) || JsonPaths.GetString(pod, "status.phase") is "Failed" or "Succeeded")
        {
            grace = 0; // never scheduled, or already finished: nothing for a kubelet to stop
        }

        metadata["deletionTimestamp"] = Timestamps.Format(now.AddSeconds(grace));
        metadata["deletionGracePeriodSeconds"] = grace;
        if (Seconds(metadata["generation"]) is > 0 and var generation)
        {
            metadata["generation"] = generation + 1;
        }

        return (pod, false);
    }

    /// <summary>The grace period a marked object still waits for (0 when none: its finalizers alone hold it).</summary>
    public static long Pending(JsonObject o) => Seconds(o["metadata"]?["deletionGracePeriodSeconds"]) ?? 0;

    // DeleteOptions.gracePeriodSeconds; BeforeDelete treats a negative one as 1.
    private static long? Requested(JsonObject? options) => Seconds(options?["gracePeriodSeconds"]) is { } seconds ? (seconds < 0 ? 1 : seconds) : null;

    /// <summary>An int64 as JSON holds it: a number of any CLR type (int as defaulted, long or double as parsed), or a
    /// string (protobuf's JSON form).</summary>
    public static long? Seconds(JsonNode? node) => node is not JsonValue value ? null
        : value.TryGetValue<int>(out var i) ? i
        : value.TryGetValue<long>(out var l) ? l
        : value.TryGetValue<double>(out var d) && d == Math.Floor(d) && Math.Abs(d) < 1e15 ? (long)d
        : value.TryGetValue<string>(out var text) && long.TryParse(text, System.Globalization.NumberStyles.AllowLeadingSign, System.Globalization.CultureInfo.InvariantCulture, out var parsed) ? parsed
        : null;
}
