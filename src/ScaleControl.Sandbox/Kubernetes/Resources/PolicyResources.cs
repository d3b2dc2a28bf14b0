using System.Text.Json.Nodes;
using ScaleControl.Sandbox.Kubernetes.Api;
using ScaleControl.Sandbox.Kubernetes.Json;

namespace ScaleControl.Sandbox.Kubernetes.Resources;

/// <summary>
/// policy/v1 PodDisruptionBudgets: what an eviction (<c>kubectl drain</c>) must leave running. Their status is the
/// disruption controller's (Cluster/DisruptionController); the eviction subresource reads and spends it
/// (Operations/PodEviction).
/// </summary>
internal static class PolicyResources
{
    public static ResourceType PodDisruptionBudgets { get; } =
        new("policy", "v1", "poddisruptionbudgets", "poddisruptionbudget", "PodDisruptionBudget", Namespaced: true)
        {
            Model = typeof(k8s.Models.V1PodDisruptionBudget),
            ShortNames = ["pdb"],
            HasStatusSubresource = true,
            ApplyDefaults = EmptyStatus,
            Validate = Validate,
            Columns =
            [
                TableColumn.NameColumn,
                new("Min Available", "string", (o, _) => Shown(o["spec"]?["minAvailable"])),
                new("Max Unavailable", "string", (o, _) => Shown(o["spec"]?["maxUnavailable"])),
                new("Allowed Disruptions", "integer", (o, _) => JsonPaths.GetInt(o, "status.disruptionsAllowed") ?? 0),
                TableColumn.AgeColumn,
            ],
        };

    public static IReadOnlyList<ResourceType> All { get; } = [PodDisruptionBudgets];

    // The status's counts carry no omitempty: a new budget shows them at 0 until the controller has counted.
    private static void EmptyStatus(JsonObject pdb)
    {
        var status = pdb.Obj("status");
        foreach (var field in new[] { "disruptionsAllowed", "currentHealthy", "desiredHealthy", "expectedPods" })
        {
            status[field] ??= 0;
        }
    }

    // printPodDisruptionBudget: the value as written, N/A when unset.
    private static string Shown(JsonNode? value) => value?.ToString() is { Length: > 0 } text ? text : "N/A";

    // ValidatePodDisruptionBudgetSpec, what a manifest meets: not both, each a non-negative int or a percentage up to
    // 100 %. An IntOrString prints through its String() (no quotes); the spec of "both" is shown as JSON, not Go's %#v.
    private static IReadOnlyList<FieldError> Validate(JsonObject pdb)
    {
        var errors = new List<FieldError>();
        var spec = pdb["spec"] as JsonObject;
        if (spec?["minAvailable"] is not null && spec["maxUnavailable"] is not null)
        {
            errors.Add(FieldError.Invalid("spec", spec.DeepClone(), "minAvailable and maxUnavailable cannot be both set"));
        }

        foreach (var field in new[] { "minAvailable", "maxUnavailable" })
        {
            var path = $"spec.{field}";
            switch (spec?[field])
            {
                case JsonValue v when v.TryGetValue<int>(out var n) && n < 0:
                    errors.Add(Raw(path, n.ToString(System.Globalization.CultureInfo.InvariantCulture), "must be greater than or equal to 0"));
                    break;
                case JsonValue v when v.TryGetValue<string>(out var s) && !IsPercent(s):
                    errors.Add(Raw(path, s, "a valid percent string must be a numeric string followed by an ending '%' (e.g. '1%', or '93%', regex used for validation is '[0-9]+%')"));
                    break;
                case JsonValue v when v.TryGetValue<string>(out var s) && int.Parse(s[..^1], System.Globalization.CultureInfo.InvariantCulture) > 100:
                    errors.Add(Raw(path, s, "must not be greater than 100%"));
                    break;
            }
        }

        if (spec?["unhealthyPodEvictionPolicy"] is JsonValue policy && (string?)policy is not ("IfHealthyBudget" or "AlwaysAllow"))
        {
            errors.Add(FieldError.NotSupported("spec.unhealthyPodEvictionPolicy", policy.DeepClone(), ["\"AlwaysAllow\"", "\"IfHealthyBudget\""]));
        }

        return errors;
    }

    private static FieldError Raw(string field, string shown, string detail) => new(field, FieldErrorType.Invalid, detail) { GoValue = shown };

    private static bool IsPercent(string s) => s.Length is > 1 and < 10 && s[^1] == '%' && s[..^1].All(char.IsAsciiDigit);
}
