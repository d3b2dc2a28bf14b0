using System.Text.Json.Nodes;
using ScaleControl.Sandbox.Kubernetes.Api;
using ScaleControl.Sandbox.Kubernetes.Json;

namespace ScaleControl.Sandbox.Kubernetes.Resources;

/// <summary>The built-in kinds the sandbox serves: what ScaleControl and kubectl touch, nothing more.</summary>
internal static class BuiltInResources
{
    public static ResourceType Namespaces { get; } = new("", "v1", "namespaces", "namespace", "Namespace", Namespaced: false)
    {
        Model = typeof(k8s.Models.V1Namespace),
        ShortNames = ["ns"],
        HasStatusSubresource = true,
        TracksGeneration = false,
        ApplyDefaults = o => o.Obj("status")["phase"] ??= "Active",
        Columns = [TableColumn.NameColumn, new("Status", "string", (o, _) => JsonPaths.GetString(o, "status.phase")), TableColumn.AgeColumn],
    };

    public static ResourceType CoreEvents { get; } = new("", "v1", "events", "event", "Event", Namespaced: true)
    {
        Model = typeof(k8s.Models.Corev1Event),
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

    public static ResourceType Deployments { get; } = Workload("deployments", "deployment", "Deployment", typeof(k8s.Models.V1Deployment), ["deploy"], DefaultRollingUpdate,
    [
        TableColumn.NameColumn,
        new("Ready", "string", (o, _) => $"{JsonPaths.GetInt(o, "status.readyReplicas") ?? 0}/{JsonPaths.GetInt(o, "spec.replicas") ?? 0}"),
        new("Up-to-date", "integer", (o, _) => JsonPaths.GetInt(o, "status.updatedReplicas") ?? 0),
        new("Available", "integer", (o, _) => JsonPaths.GetInt(o, "status.availableReplicas") ?? 0),
        TableColumn.AgeColumn,
        WorkloadColumns.Containers,
        WorkloadColumns.Images,
        WorkloadColumns.Selector,
    ]) with { ValidateUpdate = WorkloadSpecRules.SelectorUnchanged };

    public static ResourceType StatefulSets { get; } = Workload("statefulsets", "statefulset", "StatefulSet", typeof(k8s.Models.V1StatefulSet), ["sts"], StatefulSetDefaults,
    [
        TableColumn.NameColumn,
        new("Ready", "string", (o, _) => $"{JsonPaths.GetInt(o, "status.readyReplicas") ?? 0}/{JsonPaths.GetInt(o, "spec.replicas") ?? 0}"),
        TableColumn.AgeColumn,
        WorkloadColumns.Containers,
        WorkloadColumns.Images,
    ]) with { ValidateUpdate = WorkloadSpecRules.StatefulSetUpdate };

    public static ResourceType HorizontalPodAutoscalers { get; } =
        new("autoscaling", "v2", "horizontalpodautoscalers", "horizontalpodautoscaler", "HorizontalPodAutoscaler", Namespaced: true)
        {
            Model = typeof(k8s.Models.V2HorizontalPodAutoscaler),
            ShortNames = ["hpa"],
            Categories = ["all"],
            HasStatusSubresource = true,
            ApplyDefaults = o => o.Obj("spec")["minReplicas"] ??= 1,
            Validate = ValidateHpa,
            Columns = HpaColumns.For(o => o),
        };

    public static ResourceType Leases { get; } = new("coordination.k8s.io", "v1", "leases", "lease", "Lease", Namespaced: true)
    {
        Model = typeof(k8s.Models.V1Lease),
        TracksGeneration = false,
        Columns = [TableColumn.NameColumn, new("Holder", "string", (o, _) => JsonPaths.GetString(o, "spec.holderIdentity")), TableColumn.AgeColumn],
    };

    public static ResourceType CustomResourceDefinitions { get; } =
        new("apiextensions.k8s.io", "v1", "customresourcedefinitions", "customresourcedefinition", "CustomResourceDefinition", Namespaced: false)
        {
            Model = typeof(k8s.Models.V1CustomResourceDefinition),
            ShortNames = ["crd", "crds"],
            HasStatusSubresource = true,
            Validate = CrdResourceTypes.Validate,
            Columns = [TableColumn.NameColumn, new("Created At", "string", (o, _) => JsonPaths.GetString(o, "metadata.creationTimestamp"))],
        };

    /// <summary>ReplicaSets are written by the sandbox's Deployment controller (Cluster/WorkloadControllers).</summary>
    public static ResourceType ReplicaSets { get; } = new("apps", "v1", "replicasets", "replicaset", "ReplicaSet", Namespaced: true)
    {
        Model = typeof(k8s.Models.V1ReplicaSet),
        ShortNames = ["rs"],
        ApplyDefaults = o => PodSpecDefaults.Template(o.Obj("spec")),
        Validate = WorkloadSpecRules.Validate,
        ValidateUpdate = WorkloadSpecRules.SelectorUnchanged,
        ValidateWrite = (o, before) => [.. PodAnnotationRules.Template(o, before), .. PodLifecycleRules.Template(o, before)],
        Categories = ["all"],
        HasStatusSubresource = true,
        HasScaleSubresource = true, // replicasets/scale, as apps/v1 serves it (kubectl scale rs, an HPA on a ReplicaSet)
        Columns =
        [
            TableColumn.NameColumn,
            new("Desired", "integer", (o, _) => JsonPaths.GetInt(o, "spec.replicas") ?? 0),
            new("Current", "integer", (o, _) => JsonPaths.GetInt(o, "status.replicas") ?? 0),
            new("Ready", "integer", (o, _) => JsonPaths.GetInt(o, "status.readyReplicas") ?? 0),
            TableColumn.AgeColumn,
            WorkloadColumns.Containers,
            WorkloadColumns.Images,
            WorkloadColumns.Selector,
        ],
    };

    /// <summary>A StatefulSet's pod templates, one per revision, written by its controller (Cluster/StatefulSetHistory).</summary>
    public static ResourceType ControllerRevisions { get; } = new("apps", "v1", "controllerrevisions", "controllerrevision", "ControllerRevision", Namespaced: true)
    {
        Model = typeof(k8s.Models.V1ControllerRevision),
        TracksGeneration = false,
        Columns =
        [
            TableColumn.NameColumn,
            new("Controller", "string", (o, _) => (o["metadata"]?["ownerReferences"] as JsonArray)?.OfType<JsonObject>()
                .Where(r => (bool?)r["controller"] == true)
                .Select(r => $"{((string?)r["kind"])?.ToLowerInvariant()}.{((string?)r["apiVersion"])?.Split('/')[0]}/{(string?)r["name"]}")
                .FirstOrDefault() ?? "<none>"),
            new("Revision", "integer", (o, _) => JsonPaths.GetInt(o, "revision") ?? 0),
            TableColumn.AgeColumn,
        ],
    };

    /// <summary>Pods are written by the sandbox's workload controllers and scheduler (Cluster/PodController).</summary>
    public static ResourceType Pods { get; } = new("", "v1", "pods", "pod", "Pod", Namespaced: true)
    {
        Model = typeof(k8s.Models.V1Pod),
        ShortNames = ["po"],
        ApplyDefaults = PodDefaults,
        ValidateWrite = (o, before) => [.. PodAnnotationRules.Pod(o, before), .. PodLifecycleRules.Pod(o, before)],
        Categories = ["all"],
        HasStatusSubresource = true,
        TracksGeneration = false,
        ReturnsDeletedObject = true,
        Columns = PodColumns.All,
    };

    public static ResourceType Nodes { get; } = new("", "v1", "nodes", "node", "Node", Namespaced: false)
    {
        Model = typeof(k8s.Models.V1Node),
        ShortNames = ["no"],
        HasStatusSubresource = true,
        TracksGeneration = false,
        Columns =
        [
            TableColumn.NameColumn,
            new("Status", "string", (o, _) => (IsReady(o) ? "Ready" : "NotReady")
                + (JsonPaths.GetString(o, "spec.unschedulable") == "true" ? ",SchedulingDisabled" : "")),
            new("Roles", "string", (_, _) => "<none>"),
            TableColumn.AgeColumn,
            new("Version", "string", (o, _) => JsonPaths.GetString(o, "status.nodeInfo.kubeletVersion")),
            new("Internal-IP", "string", (o, _) => AddressOf(o, "InternalIP") ?? "<none>", 1),
            new("External-IP", "string", (o, _) => AddressOf(o, "ExternalIP") ?? "<none>", 1),
            new("OS-Image", "string", (o, _) => JsonPaths.GetString(o, "status.nodeInfo.osImage"), 1),
            new("Kernel-Version", "string", (o, _) => JsonPaths.GetString(o, "status.nodeInfo.kernelVersion"), 1),
            new("Container-Runtime", "string", (o, _) => JsonPaths.GetString(o, "status.nodeInfo.containerRuntimeVersion"), 1),
        ],
    };

    private static int DataCount(JsonObject o) => ((o["data"] as JsonObject)?.Count ?? 0) + ((o["binaryData"] as JsonObject)?.Count ?? 0);

    // As the apiserver: stringData is write-only, merged into data (base64) over existing keys; type defaults to Opaque.
    private static void SecretDefaults(JsonObject secret)
    {
        secret["type"] ??= "Opaque";
        if (secret["stringData"] is JsonObject stringData)
        {
            var data = secret.Obj("data");
            foreach (var key in stringData.Select(kv => kv.Key).ToList())
            {
                data[key] = Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes(JsonPaths.GetString(stringData, key) ?? ""));
            }

            secret.Remove("stringData");
        }
    }

    // As core/v1 SetDefaults_Pod: the pod spec's defaults, service links on, requests from limits; and the QoS class.
    private static void PodDefaults(JsonObject pod)
    {
        var spec = pod.Obj("spec");
        PodSpecDefaults.Apply(spec);
        spec["enableServiceLinks"] ??= true;
        foreach (var resources in new[] { "initContainers", "containers" }.SelectMany(l => (spec[l] as JsonArray ?? []).OfType<JsonObject>()).Select(c => c["resources"]).OfType<JsonObject>())
        {
            if (resources["limits"] is JsonObject { Count: > 0 } limits)
            {
                var requests = resources.Obj("requests");
                foreach (var (name, limit) in limits)
                {
                    requests[name] ??= limit?.DeepClone();
                }
            }
        }

        // PrepareForCreate's qosClass, from the defaulted requests; kept as it was afterwards.
        pod.Obj("status")["qosClass"] ??= PodQos.Of(spec);
    }

    /// <summary>The condition of <paramref name="type"/> in status.conditions, or null.</summary>
    public static JsonObject? ConditionOf(JsonObject o, string type) =>
        (o["status"]?["conditions"] as JsonArray)?.OfType<JsonObject>().FirstOrDefault(c => (string?)c["type"] == type);

    /// <summary>Whether the pod's (or node's) Ready condition is True.</summary>
    public static bool IsReady(JsonObject o) => JsonPaths.GetString(ConditionOf(o, "Ready"), "status") == "True";

    /// <summary>
    /// Whether the pod serves requests: Ready and not being deleted. A terminating pod's endpoint is not ready, so it
    /// gets no new requests (it idles), and a StatefulSet does not count it ready while it goes.
    /// </summary>
    public static bool IsServing(JsonObject pod) => IsReady(pod) && pod["metadata"]?["deletionTimestamp"] is null;

    private static string? AddressOf(JsonObject node, string type) =>
        (node["status"]?["addresses"] as JsonArray)?.OfType<JsonObject>().Where(a => (string?)a["type"] == type).Select(a => (string?)a["address"]).FirstOrDefault();

    /// <summary>ServiceAccounts: stored, and named by the tokens their TokenRequest subresource issues (Auth/).</summary>
    public static ResourceType ServiceAccounts { get; } = new("", "v1", "serviceaccounts", "serviceaccount", "ServiceAccount", Namespaced: true)
    {
        ShortNames = ["sa"], TracksGeneration = false, Model = typeof(k8s.Models.V1ServiceAccount),
    };

    /// <summary>Services: defaulted (Resources/ServiceDefaults) and given cluster IPs and node ports (Operations/ServiceAllocation).</summary>
    public static ResourceType Services { get; } = new("", "v1", "services", "service", "Service", Namespaced: true)
    {
        ShortNames = ["svc"],
        Categories = ["all"],
        HasStatusSubresource = true,
        TracksGeneration = false,
        Model = typeof(k8s.Models.V1Service),
        ApplyDefaults = ServiceDefaults.Apply,
        Columns = ServiceColumns.All,
    };

    /// <summary>
    /// Kinds served only as plain storage so manifests and kubectl (describe lists ReplicaSets) find them;
    /// no controller acts on them.
    /// </summary>
    public static IReadOnlyList<ResourceType> PlainStorage { get; } =
    [
        new("", "v1", "configmaps", "configmap", "ConfigMap", Namespaced: true)
        {
            ShortNames = ["cm"],
            TracksGeneration = false,
            Model = typeof(k8s.Models.V1ConfigMap),
            Validate = DataSizeRules.ConfigMap,
            Columns = [TableColumn.NameColumn, new("Data", "integer", (o, _) => DataCount(o)), TableColumn.AgeColumn],
        },
        new("", "v1", "secrets", "secret", "Secret", Namespaced: true)
        {
            TracksGeneration = false,
            Model = typeof(k8s.Models.V1Secret),
            ApplyDefaults = SecretDefaults,
            Validate = DataSizeRules.Secret,
            Columns =
            [
                TableColumn.NameColumn,
                new("Type", "string", (o, _) => JsonPaths.GetString(o, "type")),
                new("Data", "integer", (o, _) => DataCount(o)),
                TableColumn.AgeColumn,
            ],
        },
        ServiceAccounts,
    ];


    public static IEnumerable<ResourceType> All =>
        new[] { Namespaces, CoreEvents, Deployments, StatefulSets, HorizontalPodAutoscalers, HpaV1.Type, Leases, CustomResourceDefinitions, Pods, Nodes, ReplicaSets, ControllerRevisions, Services }
            .Concat(PlainStorage)
            .Concat(EventsV1.Types)
            .Concat(EndpointResources.All)
            .Concat(RbacResources.All)
            .Concat(PolicyResources.All)
            .Concat(Metrics.MetricsResources.All);

    // As apps/v1 SetDefaults_Deployment.
    private static void DefaultRollingUpdate(JsonObject spec)
    {
        var strategy = spec.Obj("strategy");
        strategy["type"] ??= "RollingUpdate";
        if ((string?)strategy["type"] == "RollingUpdate")
        {
            var rollingUpdate = strategy.Obj("rollingUpdate");
            rollingUpdate["maxUnavailable"] ??= "25%";
            rollingUpdate["maxSurge"] ??= "25%";
        }

        spec["revisionHistoryLimit"] ??= 10;
        spec["progressDeadlineSeconds"] ??= 600;
    }

    // As apps/v1 SetDefaults_StatefulSet: what kubectl rollout status and clients expect to find.
    private static void StatefulSetDefaults(JsonObject spec)
    {
        spec["podManagementPolicy"] ??= "OrderedReady";
        var strategy = spec.Obj("updateStrategy");
        strategy["type"] ??= "RollingUpdate";
        if ((string?)strategy["type"] == "RollingUpdate")
        {
            strategy.Obj("rollingUpdate")["partition"] ??= 0;
        }

        spec["revisionHistoryLimit"] ??= 10;
        var retention = spec.Obj("persistentVolumeClaimRetentionPolicy");
        retention["whenDeleted"] ??= "Retain";
        retention["whenScaled"] ??= "Retain";
    }

    private static ResourceType Workload(
        string plural, string singular, string kind, Type model, IReadOnlyList<string> shortNames, Action<JsonObject> defaults, IReadOnlyList<TableColumn> columns) =>
        new("apps", "v1", plural, singular, kind, Namespaced: true)
        {
            Model = model,
            ShortNames = shortNames,
            Categories = ["all"],
            HasStatusSubresource = true,
            HasScaleSubresource = true,
            ApplyDefaults = o =>
            {
                var spec = o.Obj("spec");
                spec["replicas"] ??= 1;
                defaults(spec);
                PodSpecDefaults.Template(spec);
            },
            Validate = WorkloadSpecRules.Validate,
            ValidateWrite = (o, before) => [.. PodAnnotationRules.Template(o, before), .. PodLifecycleRules.Template(o, before)],
            Columns = columns,
        };

    public static List<FieldError> ValidateHpa(JsonObject hpa)
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
