using ScaleControl.Sandbox.Kubernetes.Resources;

namespace ScaleControl.Sandbox.Kubernetes.Selectors;

/// <summary>
/// The field labels the apiserver's per-kind field label conversions accept (pkg/apis/*/v1/conversion.go);
/// any other label is a 400 "field label not supported". Maps a label to the dotted path it reads.
/// </summary>
internal static class SelectableFields
{
    private static readonly Dictionary<string, Dictionary<string, string>> ByKind = new(StringComparer.Ordinal)
    {
        ["pods"] = Same("spec.nodeName", "spec.restartPolicy", "spec.schedulerName", "spec.serviceAccountName",
            "status.phase", "status.podIP", "status.nominatedNodeName"),
        ["events"] = With(Same("involvedObject.kind", "involvedObject.namespace", "involvedObject.name", "involvedObject.uid",
            "involvedObject.apiVersion", "involvedObject.resourceVersion", "involvedObject.fieldPath", "reason",
            "reportingComponent", "type"), ("source", "source.component")),
        ["events.events.k8s.io"] = Same("regarding.kind", "regarding.namespace", "regarding.name", "regarding.uid",
            "regarding.apiVersion", "regarding.resourceVersion", "regarding.fieldPath", "reason", "reportingController", "type"),
        ["nodes"] = Same("spec.unschedulable"),
        ["namespaces"] = Same("status.phase"),
        ["secrets"] = Same("type"),
        ["replicasets.apps"] = Same("status.replicas"),
    };

    /// <summary>The dotted path <paramref name="label"/> selects on <paramref name="type"/>, or null when unsupported.</summary>
    public static string? PathOf(ResourceType type, string label)
    {
        if (label == "metadata.name" || (label == "metadata.namespace" && type.Namespaced))
        {
            return label;
        }

        return ByKind.TryGetValue(type.QualifiedName, out var fields) && fields.TryGetValue(label, out var path) ? path : null;
    }

    private static Dictionary<string, string> Same(params string[] labels) =>
        labels.ToDictionary(l => l, l => l, StringComparer.Ordinal);

    private static Dictionary<string, string> With(Dictionary<string, string> fields, (string Label, string Path) alias)
    {
        fields[alias.Label] = alias.Path;
        return fields;
    }
}
