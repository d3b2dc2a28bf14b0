using System.Text.Json.Nodes;
using ScaleControl.Sandbox.Kubernetes.Api;
using ScaleControl.Sandbox.Kubernetes.Json;

namespace ScaleControl.Sandbox.Kubernetes.Resources;

/// <summary>The built-in kinds the sandbox serves: what ScaleControl and kubectl touch, nothing more.</summary>
internal static class BuiltInResources
{
    public static ResourceType Namespaces { get; } = new("", "v1", "namespaces", "namespace", "Namespace", Namespaced: false)
    {
        ShortNames = ["ns"],
        HasStatusSubresource = true,
        TracksGeneration = false,
        ApplyDefaults = o => o.Obj("status")["phase"] ??= "Active",
        Columns = [TableColumn.NameColumn, new("Status", "string", (o, _) => JsonPaths.GetString(o, "status.phase")), TableColumn.AgeColumn],
    };

    public static ResourceType CoreEvents { get; } = new("", "v1", "events", "event", "Event", Namespaced: true)
    {
        ShortNames = ["ev"],
        TracksGeneration = false,
        Columns =
        [
            new("Last Seen", "string", (o, c) => c.Age(JsonPaths.GetString(o, "lastTimestamp") ?? JsonPaths.GetString(o, "eventTime"))),
            new("Type", "string", (o, _) => JsonPaths.GetString(o, "type")),
            new("Reason", "string", (o, _) => JsonPaths.GetString(o, "reason")),
            new("Object", "string", (o, _) => $"{JsonPaths.GetString(o, "involvedObject.kind")?.ToLowerInvariant()}/{JsonPaths.GetString(o, "involvedObject.name")}"),
            new("Message", "string", (o, _) => JsonPaths.GetString(o, "message")),
        ],
    };

    public static ResourceType Deployments { get; } = Workload("deployments", "deployment", "Deployment", ["deploy"], DefaultRollingUpdate,
    [
        TableColumn.NameColumn,
        new("Ready", "string", (o, _) => $"{JsonPaths.GetInt(o, "status.readyReplicas") ?? 0}/{JsonPaths.GetInt(o, "spec.replicas") ?? 0}"),
        new("Up-to-date", "integer", (o, _) => JsonPaths.GetInt(o, "status.updatedReplicas") ?? 0),
        new("Available", "integer", (o, _) => JsonPaths.GetInt(o, "status.availableReplicas") ?? 0),
        TableColumn.AgeColumn,
    ]);

    public static ResourceType StatefulSets { get; } = Workload("statefulsets", "statefulset", "StatefulSet", ["sts"], _ => { },
    [
        TableColumn.NameColumn,
        new("Ready", "string", (o, _) => $"{JsonPaths.GetInt(o, "status.readyReplicas") ?? 0}/{JsonPaths.GetInt(o, "spec.replicas") ?? 0}"),
        TableColumn.AgeColumn,
    ]);

    public static ResourceType HorizontalPodAutoscalers { get; } =
        new("autoscaling", "v2", "horizontalpodautoscalers", "horizontalpodautoscaler", "HorizontalPodAutoscaler", Namespaced: true)
        {
            ShortNames = ["hpa"],
            Categories = ["all"],
            HasStatusSubresource = true,
            ApplyDefaults = o => o.Obj("spec")["minReplicas"] ??= 1,
            Validate = ValidateHpa,
            Columns =
            [
                TableColumn.NameColumn,
                new("Reference", "string", (o, _) => $"{JsonPaths.GetString(o, "spec.scaleTargetRef.kind")}/{JsonPaths.GetString(o, "spec.scaleTargetRef.name")}"),
                new("MinPods", "integer", (o, _) => JsonPaths.GetInt(o, "spec.minReplicas")),
                new("MaxPods", "integer", (o, _) => JsonPaths.GetInt(o, "spec.maxReplicas")),
                new("Replicas", "integer", (o, _) => JsonPaths.GetInt(o, "status.currentReplicas") ?? 0),
                TableColumn.AgeColumn,
            ],
        };

    public static ResourceType Leases { get; } = new("coordination.k8s.io", "v1", "leases", "lease", "Lease", Namespaced: true)
    {
        TracksGeneration = false,
        Columns = [TableColumn.NameColumn, new("Holder", "string", (o, _) => JsonPaths.GetString(o, "spec.holderIdentity")), TableColumn.AgeColumn],
    };

    public static ResourceType CustomResourceDefinitions { get; } =
        new("apiextensions.k8s.io", "v1", "customresourcedefinitions", "customresourcedefinition", "CustomResourceDefinition", Namespaced: false)
        {
            ShortNames = ["crd", "crds"],
            HasStatusSubresource = true,
            Validate = CrdResourceTypes.Validate,
            Columns = [TableColumn.NameColumn, new("Created At", "string", (o, _) => JsonPaths.GetString(o, "metadata.creationTimestamp"))],
        };

    /// <summary>
    /// Kinds served only as plain storage so manifests and kubectl (describe lists ReplicaSets) find them;
    /// no controller acts on them.
    /// </summary>
    public static IReadOnlyList<ResourceType> PlainStorage { get; } =
    [
        new("", "v1", "pods", "pod", "Pod", Namespaced: true) { ShortNames = ["po"], Categories = ["all"], HasStatusSubresource = true, TracksGeneration = false },
        new("", "v1", "services", "service", "Service", Namespaced: true) { ShortNames = ["svc"], Categories = ["all"], HasStatusSubresource = true, TracksGeneration = false },
        new("", "v1", "configmaps", "configmap", "ConfigMap", Namespaced: true) { ShortNames = ["cm"], TracksGeneration = false },
        new("", "v1", "serviceaccounts", "serviceaccount", "ServiceAccount", Namespaced: true) { ShortNames = ["sa"], TracksGeneration = false },
        new("apps", "v1", "replicasets", "replicaset", "ReplicaSet", Namespaced: true) { ShortNames = ["rs"], Categories = ["all"], HasStatusSubresource = true },
    ];

    public static IEnumerable<ResourceType> All =>
        new[] { Namespaces, CoreEvents, Deployments, StatefulSets, HorizontalPodAutoscalers, Leases, CustomResourceDefinitions }
            .Concat(PlainStorage)
            .Concat(EventsV1.Types);

    private static void DefaultRollingUpdate(JsonObject spec) =>
        spec["strategy"] ??= new JsonObject
        {
            ["type"] = "RollingUpdate",
            ["rollingUpdate"] = new JsonObject { ["maxSurge"] = "25%", ["maxUnavailable"] = "25%" },
        };

    private static ResourceType Workload(
        string plural, string singular, string kind, IReadOnlyList<string> shortNames, Action<JsonObject> defaults, IReadOnlyList<TableColumn> columns) =>
        new("apps", "v1", plural, singular, kind, Namespaced: true)
        {
            ShortNames = shortNames,
            Categories = ["all"],
            HasStatusSubresource = true,
            HasScaleSubresource = true,
            ApplyDefaults = o =>
            {
                var spec = o.Obj("spec");
                spec["replicas"] ??= 1;
                defaults(spec);
            },
            Validate = o => JsonPaths.GetInt(o, "spec.replicas") is < 0 and var r
                ? [FieldError.Invalid("spec.replicas", r, "must be greater than or equal to 0")]
                : [],
            Columns = columns,
        };

    private static List<FieldError> ValidateHpa(JsonObject hpa)
    {
        var errors = new List<FieldError>();
        var min = JsonPaths.GetInt(hpa, "spec.minReplicas");
        var max = JsonPaths.GetInt(hpa, "spec.maxReplicas");
        if (min is < 1)
        {
            errors.Add(FieldError.Invalid("spec.minReplicas", min, "must be greater than or equal to 1"));
        }

        if (max is null or < 1)
        {
            errors.Add(FieldError.Invalid("spec.maxReplicas", max ?? 0, "must be greater than 0"));
        }
        else if (min is { } m && max < m)
        {
            errors.Add(FieldError.Invalid("spec.maxReplicas", max, "must be greater than or equal to `minReplicas`"));
        }

        if (JsonPaths.GetString(hpa, "spec.scaleTargetRef.name") is null or "")
        {
            errors.Add(FieldError.Required("spec.scaleTargetRef.name", ""));
        }

        return errors;
    }
}
