using System.Text.Json.Nodes;
using ScaleControl.Sandbox.Kubernetes.Api;
using ScaleControl.Sandbox.Kubernetes.Json;
using ScaleControl.Sandbox.Kubernetes.Selectors;

namespace ScaleControl.Sandbox.Kubernetes.Resources;

/// <summary>
/// The parts of apps/validation's ValidateDeploymentSpec, ValidateReplicaSetSpec and ValidateStatefulSetSpec a
/// manifest meets: replicas and minReadySeconds not negative, a selector that is present, not empty and matches the
/// template's labels, and a template with at least one container, each named and with an image, restarting Always; a
/// Deployment's strategy (<see cref="DeploymentStrategyRules"/>), revisionHistoryLimit not negative and progress deadline
/// above minReadySeconds; a Deployment's or
/// ReplicaSet's selector never changes, nor a StatefulSet's spec beyond the fields its update may touch. Messages and
/// values as the apiserver prints them.
/// </summary>
internal static class WorkloadSpecRules
{
    // What ValidateStatefulSetUpdate (1.32) lets an update change; revisionHistoryLimit joined the list only later.
    private static readonly string[] s_statefulSetMutable =
        ["replicas", "ordinals", "template", "updateStrategy", "persistentVolumeClaimRetentionPolicy", "minReadySeconds"];

    public static List<FieldError> Validate(JsonObject workload)
    {
        var errors = new List<FieldError>();
        var kind = JsonPaths.GetString(workload, "kind")?.ToLowerInvariant();
        if (JsonPaths.GetInt(workload, "spec.replicas") is < 0 and var replicas)
        {
            errors.Add(FieldError.Invalid("spec.replicas", replicas, "must be greater than or equal to 0"));
        }

        // ValidateStatefulSetSpec and ValidateReplicaSetSpec check minReadySeconds right after replicas; a Deployment's
        // comes with its other timings, at the end.
        if (kind is "statefulset" or "replicaset" && JsonPaths.GetInt(workload, "spec.minReadySeconds") is < 0 and var minReady)
        {
            errors.Add(FieldError.Invalid("spec.minReadySeconds", minReady, "must be greater than or equal to 0"));
        }

        if (workload["spec"]?["selector"] is not JsonObject selector)
        {
            errors.Add(FieldError.Required("spec.selector", ""));
            return errors; // as upstream: without a selector the template is not looked at
        }

        var template = workload["spec"]?["template"] as JsonObject;
        var labels = template?["metadata"]?["labels"] as JsonObject;
        if ((selector["matchLabels"] as JsonObject ?? []).Count + (selector["matchExpressions"] as JsonArray ?? []).Count == 0)
        {
            // ValidateReplicaSetSpec says "deployment" too.
            errors.Add(new FieldError("spec.selector", FieldErrorType.Invalid, $"empty selector is invalid for {(kind == "replicaset" ? "deployment" : kind)}")
            {
                GoValue = GoLabelSelector(selector),
            });
        }
        else if (!LabelSelector.FromObject(selector).MatchesLabels(labels))
        {
            errors.Add(new FieldError("spec.template.metadata.labels", FieldErrorType.Invalid, "`selector` does not match template `labels`") { GoValue = GoStringMap(labels) });
        }

        var containers = template?["spec"]?["containers"] as JsonArray ?? [];
        if (containers.Count == 0)
        {
            errors.Add(FieldError.Required("spec.template.spec.containers", ""));
        }

        for (var i = 0; i < containers.Count; i++)
        {
            foreach (var field in new[] { "name", "image" })
            {
                if (JsonPaths.GetString(containers[i], field) is null or "")
                {
                    errors.Add(FieldError.Required($"spec.template.spec.containers[{i}].{field}", ""));
                }
            }
        }

        if (JsonPaths.GetString(template, "spec.restartPolicy") is { } restart and not "Always")
        {
            errors.Add(FieldError.NotSupported("spec.template.spec.restartPolicy", restart, ["\"Always\""]));
        }

        if (kind == "deployment")
        {
            errors.AddRange(DeploymentStrategyRules.Validate(workload));
            errors.AddRange(DeploymentTimings(workload));
        }

        return errors;
    }

    // ValidateDeploymentSpec's tail: minReadySeconds and revisionHistoryLimit not negative, and a progress deadline
    // longer than minReadySeconds (a pod could never become available in time).
    private static IEnumerable<FieldError> DeploymentTimings(JsonObject deployment)
    {
        var minReady = JsonPaths.GetInt(deployment, "spec.minReadySeconds") ?? 0;
        foreach (var field in new[] { "minReadySeconds", "revisionHistoryLimit", "progressDeadlineSeconds" })
        {
            if (JsonPaths.GetInt(deployment, $"spec.{field}") is < 0 and var negative)
            {
                yield return FieldError.Invalid($"spec.{field}", negative, "must be greater than or equal to 0");
            }
        }

        if (JsonPaths.GetInt(deployment, "spec.progressDeadlineSeconds") is { } deadline && deadline <= minReady)
        {
            yield return FieldError.Invalid("spec.progressDeadlineSeconds", deadline, "must be greater than minReadySeconds");
        }
    }

    /// <summary>The Deployment and ReplicaSet strategies' ValidateUpdate for apps/v1: the selector may not change.</summary>
    public static List<FieldError> SelectorUnchanged(JsonObject before, JsonObject next) =>
        JsonNode.DeepEquals(before["spec"]?["selector"], next["spec"]?["selector"]) || next["spec"]?["selector"] is not JsonObject selector
            ? []
            : [new FieldError("spec.selector", FieldErrorType.Invalid, "field is immutable") { GoValue = GoLabelSelector(selector) }];

    /// <summary>The StatefulSet strategy's ValidateUpdate: the rest of the spec (serviceName, selector, volumeClaimTemplates, …) is fixed.</summary>
    public static List<FieldError> StatefulSetUpdate(JsonObject before, JsonObject next) =>
        JsonNode.DeepEquals(FixedSpec(before), FixedSpec(next))
            ? []
            : [FieldError.Forbidden("spec", "updates to statefulset spec for fields other than 'replicas', 'ordinals', 'template', 'updateStrategy', "
                + "'persistentVolumeClaimRetentionPolicy' and 'minReadySeconds' are forbidden")];

    // The spec without what an update may change, and without what Go's semantic equality cannot tell from absent
    // (null, "", [] and {}), so a manifest that spells a default out or leaves it out compares equal.
    private static JsonNode? FixedSpec(JsonObject workload)
    {
        var spec = workload["spec"]?.DeepClone() as JsonObject ?? [];
        foreach (var field in s_statefulSetMutable)
        {
            spec.Remove(field);
        }

        return WithoutEmpty(spec);
    }

    private static JsonNode? WithoutEmpty(JsonNode? node) => node switch
    {
        JsonObject o => o.Select(kv => (kv.Key, Value: WithoutEmpty(kv.Value))).Where(kv => kv.Value is not null).ToList() is { Count: > 0 } kept
            ? new JsonObject(kept.Select(kv => KeyValuePair.Create(kv.Key, kv.Value)))
            : null,
        JsonArray a => a.Count > 0 ? new JsonArray(a.Select(WithoutEmpty).ToArray()) : null,
        JsonValue v when v.GetValueKind() == System.Text.Json.JsonValueKind.String && v.GetValue<string>().Length == 0 => null,
        null => null,
        _ => node.DeepClone(),
    };

    // Go's %#v of a map[string]string: keys sorted, values quoted; nil when absent.
    private static string GoStringMap(JsonObject? map) => map is null
        ? "map[string]string(nil)"
        : "map[string]string{" + string.Join(", ", map.OrderBy(kv => kv.Key, StringComparer.Ordinal)
            .Select(kv => $"{JsonValue.Create(kv.Key).ToJsonString()}:{GoString(kv.Value, "")}")) + "}";

    // Go's %#v of a metav1.LabelSelector.
    private static string GoLabelSelector(JsonObject selector) =>
        $"v1.LabelSelector{{MatchLabels:{GoStringMap(selector["matchLabels"] as JsonObject)}, MatchExpressions:{GoRequirements(selector["matchExpressions"] as JsonArray)}}}";

    private static string GoRequirements(JsonArray? requirements) => requirements is null
        ? "[]v1.LabelSelectorRequirement(nil)"
        : "[]v1.LabelSelectorRequirement{" + string.Join(", ", requirements.Select(r =>
            $"v1.LabelSelectorRequirement{{Key:{GoString(r, "key")}, Operator:{GoString(r, "operator")}, Values:{GoStrings(r?["values"] as JsonArray)}}}")) + "}";

    private static string GoStrings(JsonArray? values) => values is null
        ? "[]string(nil)"
        : "[]string{" + string.Join(", ", values.Select(v => GoString(v, ""))) + "}";

    private static string GoString(JsonNode? node, string path) => JsonValue.Create(JsonPaths.GetString(node, path) ?? "").ToJsonString();
}
