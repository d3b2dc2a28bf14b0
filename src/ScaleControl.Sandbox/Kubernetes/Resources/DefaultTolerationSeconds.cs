using System.Text.Json.Nodes;
using ScaleControl.Sandbox.Kubernetes.Json;

namespace ScaleControl.Sandbox.Kubernetes.Resources;

/// <summary>
/// kube-apiserver's DefaultTolerationSeconds admission plugin (<c>plugin/pkg/admission/defaulttolerationseconds</c>,
/// on by default): a pod created without a toleration of the <c>node.kubernetes.io/not-ready</c> (or
/// <c>unreachable</c>) NoExecute taint gets one for 300 s, so the taint eviction controller evicts it five minutes after
/// its node fails. A toleration with an empty key (or effect) counts as tolerating it already. Creates only, never the
/// pods/status or other subresources, nor updates.
/// </summary>
internal static class DefaultTolerationSeconds
{
    private const long Seconds = 300;

    public static void Admit(JsonObject pod)
    {
        var spec = pod.Obj("spec");
        if (spec["tolerations"] is not JsonArray tolerations)
        {
            tolerations = [];
            spec["tolerations"] = tolerations;
        }

        foreach (var key in new[] { Cluster.NodeLifecycleController.NotReadyTaint, Cluster.NodeLifecycleController.UnreachableTaint })
        {
            if (!tolerations.OfType<JsonObject>().Any(t => ((string?)t["key"] ?? "") is var k && (k.Length == 0 || k == key)
                && ((string?)t["effect"] ?? "") is "" or "NoExecute"))
            {
                tolerations.Add(new JsonObject { ["key"] = key, ["operator"] = "Exists", ["effect"] = "NoExecute", ["tolerationSeconds"] = Seconds });
            }
        }
    }
}
