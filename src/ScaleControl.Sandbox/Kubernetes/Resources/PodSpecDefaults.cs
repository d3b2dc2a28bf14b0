using System.Text.Json.Nodes;
using ScaleControl.Sandbox.Kubernetes.Json;

namespace ScaleControl.Sandbox.Kubernetes.Resources;

/// <summary>
/// The apiserver's defaulting of a pod spec (core/v1 SetDefaults_PodSpec, _Container, _Probe, _Volume, …), run on
/// every create, update and apply of a Pod or a workload's pod template, so <c>kubectl get -o yaml</c> shows what a
/// real cluster shows and <c>kubectl diff</c> of an applied manifest is empty. <c>resources: {}</c> is the Go struct
/// that always serializes.
/// </summary>
internal static class PodSpecDefaults
{
    private static readonly string[] s_containerLists = ["initContainers", "containers"];
    private static readonly string[] s_volumeSources = ["configMap", "secret", "downwardAPI", "projected"];

    /// <summary>Defaults <c>spec.template.spec</c> of a Deployment, StatefulSet or ReplicaSet.</summary>
    public static void Template(JsonObject workloadSpec)
    {
        if (workloadSpec["template"] is JsonObject template)
        {
            Apply(template.Obj("spec"));
        }
    }

    public static void Apply(JsonObject spec)
    {
        spec["restartPolicy"] ??= "Always";
        spec["terminationGracePeriodSeconds"] ??= 30;
        spec["dnsPolicy"] ??= "ClusterFirst";
        spec["securityContext"] ??= new JsonObject();
        spec["schedulerName"] ??= "default-scheduler";
        var hostNetwork = (bool?)spec["hostNetwork"] == true;
        foreach (var container in s_containerLists.SelectMany(list => (spec[list] as JsonArray ?? []).OfType<JsonObject>()))
        {
            Container(container, hostNetwork);
        }

        foreach (var volume in (spec["volumes"] as JsonArray ?? []).OfType<JsonObject>())
        {
            Volume(volume);
        }
    }

    private static void Container(JsonObject container, bool hostNetwork)
    {
        container["terminationMessagePath"] ??= "/dev/termination-log";
        container["terminationMessagePolicy"] ??= "File";
        container["resources"] ??= new JsonObject();
        if ((string?)container["image"] is { Length: > 0 } image)
        {
            container["imagePullPolicy"] ??= PullsAlways(image) ? "Always" : "IfNotPresent";
        }

        foreach (var port in (container["ports"] as JsonArray ?? []).OfType<JsonObject>())
        {
            port["protocol"] ??= "TCP";
            if (hostNetwork)
            {
                port["hostPort"] ??= port["containerPort"]?.DeepClone();
            }
        }

        foreach (var fieldRef in (container["env"] as JsonArray ?? []).OfType<JsonObject>().Select(e => e["valueFrom"]?["fieldRef"]).OfType<JsonObject>())
        {
            fieldRef["apiVersion"] ??= "v1";
        }

        foreach (var probe in new[] { "livenessProbe", "readinessProbe", "startupProbe" }.Select(p => container[p]).OfType<JsonObject>())
        {
            probe["timeoutSeconds"] ??= 1;
            probe["periodSeconds"] ??= 10;
            probe["successThreshold"] ??= 1;
            probe["failureThreshold"] ??= 3;
            if (probe["httpGet"] is JsonObject httpGet)
            {
                httpGet["path"] ??= "/";
                httpGet["scheme"] ??= "HTTP";
            }
        }
    }

    // As the image reference parser: ":latest" or no tag (and no digest) is pulled every time.
    private static bool PullsAlways(string image)
    {
        if (image.Contains('@', StringComparison.Ordinal))
        {
            return false;
        }

        var colon = image.LastIndexOf(':');
        return colon <= image.LastIndexOf('/') || image[(colon + 1)..] == "latest";
    }

    private static void Volume(JsonObject volume)
    {
        if (volume.All(kv => kv.Key == "name"))
        {
            volume["emptyDir"] = new JsonObject();
        }

        foreach (var source in s_volumeSources.Select(s => volume[s]).OfType<JsonObject>())
        {
            source["defaultMode"] ??= 420;
        }
    }
}
