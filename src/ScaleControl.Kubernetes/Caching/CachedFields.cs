using System.Globalization;
using k8s.Models;
using ScaleControl.Kubernetes.Capacity;

namespace ScaleControl.Kubernetes.Caching;

/// <summary>
/// The fields of a workload or HPA that ScaleControl reads, copied out before the object enters a watch cache.
/// A real cluster's Deployment carries managedFields, a last-applied-configuration annotation and whole pod specs,
/// often 10–30 KB in memory each; the cache holds every Deployment and StatefulSet of the cluster, so it keeps
/// only identity, replicas, readiness, the pod selector (to list its pods when some are not ready), the start-up
/// hints and ScaleControl's own annotations.
/// </summary>
public static class CachedFields
{
    public const string AnnotationPrefix = "scalecontrol.io/";

    public static V1Deployment Keep(V1Deployment deployment) => new()
    {
        ApiVersion = deployment.ApiVersion,
        Kind = deployment.Kind,
        Metadata = Keep(deployment.Metadata),
        Spec = deployment.Spec is not { } spec ? null : new V1DeploymentSpec
        {
            Replicas = spec.Replicas,
            MinReadySeconds = spec.MinReadySeconds,
            Selector = spec.Selector,
            Template = Keep(spec.Template),
        },
        Status = deployment.Status is not { } status ? null : new V1DeploymentStatus
        {
            Replicas = status.Replicas,
            ReadyReplicas = status.ReadyReplicas,
        },
    };

    public static V1StatefulSet Keep(V1StatefulSet statefulSet) => new()
    {
        ApiVersion = statefulSet.ApiVersion,
        Kind = statefulSet.Kind,
        Metadata = Keep(statefulSet.Metadata),
        Spec = statefulSet.Spec is not { } spec ? null : new V1StatefulSetSpec
        {
            Replicas = spec.Replicas,
            MinReadySeconds = spec.MinReadySeconds,
            Selector = spec.Selector,
            Template = Keep(spec.Template),
        },
        Status = statefulSet.Status is not { } status ? null : new V1StatefulSetStatus
        {
            Replicas = status.Replicas,
            ReadyReplicas = status.ReadyReplicas,
            // What tells pods being deleted from the ready ones (StatefulSetReadiness).
            CurrentReplicas = status.CurrentReplicas,
            UpdatedReplicas = status.UpdatedReplicas,
            CurrentRevision = status.CurrentRevision,
            UpdateRevision = status.UpdateRevision,
        },
    };

    public static V2HorizontalPodAutoscaler Keep(V2HorizontalPodAutoscaler hpa) => new()
    {
        ApiVersion = hpa.ApiVersion,
        Kind = hpa.Kind,
        Metadata = Keep(hpa.Metadata),
        Spec = hpa.Spec is not { } spec ? null : new V2HorizontalPodAutoscalerSpec
        {
            ScaleTargetRef = spec.ScaleTargetRef,
            MinReplicas = spec.MinReplicas,
            MaxReplicas = spec.MaxReplicas,
        },
    };

    private static V1ObjectMeta? Keep(V1ObjectMeta? metadata) => metadata is null ? null : new V1ObjectMeta
    {
        Name = metadata.Name,
        NamespaceProperty = metadata.NamespaceProperty,
        Uid = metadata.Uid,
        ResourceVersion = metadata.ResourceVersion,
        Generation = metadata.Generation,
        Annotations = metadata.Annotations?
            .Where(a => a.Key.StartsWith(AnnotationPrefix, StringComparison.Ordinal))
            .ToDictionary(a => a.Key, a => a.Value, StringComparer.Ordinal) is { Count: > 0 } ours ? ours : null,
    };

    /// <summary>
    /// One container: the first container's readiness delay (the start-up estimator reads it) and the pod's effective
    /// CPU and memory requests (<see cref="PodSpecRequests"/>: containers, init containers and overhead folded into one
    /// sum, for the cost and room of a change); nothing else of the pod spec.
    /// </summary>
    private static V1PodTemplateSpec? Keep(V1PodTemplateSpec? template)
    {
        if (template?.Spec?.Containers?.FirstOrDefault() is not { } first)
        {
            return null;
        }

        var pod = PodSpecRequests.Of(template.Spec);
        var requests = new Dictionary<string, ResourceQuantity>(StringComparer.Ordinal);
        if (pod.MilliCpu > 0)
        {
            requests["cpu"] = new ResourceQuantity(pod.MilliCpu.ToString(CultureInfo.InvariantCulture) + "m");
        }

        if (pod.MemoryBytes > 0)
        {
            requests["memory"] = new ResourceQuantity(pod.MemoryBytes.ToString(CultureInfo.InvariantCulture));
        }

        return new V1PodTemplateSpec
        {
            Spec = new V1PodSpec
            {
                Containers =
                [
                    new V1Container
                    {
                        Name = first.Name,
                        ReadinessProbe = first.ReadinessProbe is { } probe ? new V1Probe { InitialDelaySeconds = probe.InitialDelaySeconds } : null,
                        Resources = requests.Count > 0 ? new V1ResourceRequirements { Requests = requests } : null,
                    },
                ],
            },
        };
    }
}
