using k8s.Models;

namespace ScaleControl.Kubernetes.Events;

/// <summary>A core/v1 Event as ScaleControl reports it: about one object, from its component and this replica, seen once.</summary>
internal static class ProductEvent
{
    public static Corev1Event Create(
        string name, V1ObjectReference about, string reason, string message, string type, string component, string instance, DateTime now) => new()
    {
        ApiVersion = "v1",
        Kind = "Event",
        Metadata = new V1ObjectMeta { Name = name, NamespaceProperty = about.NamespaceProperty },
        InvolvedObject = about,
        Reason = reason,
        Message = message,
        Type = type,
        Source = new V1EventSource { Component = component },
        ReportingComponent = component,
        ReportingInstance = instance,
        FirstTimestamp = now,
        LastTimestamp = now,
        Count = 1,
    };
}
