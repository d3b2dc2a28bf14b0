using System.Text.Json.Nodes;
using ScaleControl.Sandbox.Kubernetes.Api;
using ScaleControl.Sandbox.Kubernetes.Cluster;

namespace ScaleControl.Sandbox.Kubernetes.Resources;

/// <summary>
/// The part of core/validation's ValidatePodSpecificAnnotations a user meets: the
/// <c>controller.kubernetes.io/pod-deletion-cost</c> annotation of a pod, or of a workload's pod template, must be a
/// 32-bit integer without a plus sign or leading zeros (<c>Invalid value: "abc": must be a 32bit integer</c>). As the
/// validation options' AllowInvalidPodDeletionCost, an update of an object whose value was already invalid is let through.
/// </summary>
internal static class PodAnnotationRules
{
    public static IReadOnlyList<FieldError> Pod(JsonObject pod, JsonObject? before) =>
        DeletionCost(pod["metadata"]?["annotations"] as JsonObject, before?["metadata"]?["annotations"] as JsonObject, "metadata.annotations");

    /// <summary>A workload's template: ValidatePodTemplateSpec names the annotations <c>spec.template.annotations</c>.</summary>
    public static IReadOnlyList<FieldError> Template(JsonObject workload, JsonObject? before) =>
        DeletionCost(
            workload["spec"]?["template"]?["metadata"]?["annotations"] as JsonObject,
            before?["spec"]?["template"]?["metadata"]?["annotations"] as JsonObject,
            "spec.template.annotations");

    private static IReadOnlyList<FieldError> DeletionCost(JsonObject? annotations, JsonObject? before, string path)
    {
        const string Key = PodDeletionOrder.DeletionCostAnnotation;
        if (annotations?[Key] is not { } node || IsValid(node))
        {
            return [];
        }

        var wasInvalid = before?[Key] is { } old && !IsValid(old);
        return wasInvalid ? [] : [FieldError.Invalid($"{path}[{Key}]", JsonValue.Create(Text(node)), "must be a 32bit integer")];
    }

    private static bool IsValid(JsonNode value) => PodDeletionOrder.TryDeletionCost(Text(value), out _);

    private static string Text(JsonNode value) =>
        value.GetValueKind() == System.Text.Json.JsonValueKind.String ? value.GetValue<string>() : value.ToJsonString();
}
