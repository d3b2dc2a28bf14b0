using System.Text.Json.Nodes;
using ScaleControl.Sandbox.Kubernetes.Api;
using ScaleControl.Sandbox.Kubernetes.Json;

namespace ScaleControl.Sandbox.Kubernetes.Resources;

/// <summary>
/// autoscaling/v1 HorizontalPodAutoscalers (what <c>kubectl autoscale</c> creates): a view over the autoscaling/v2
/// storage, converted as the apiserver does for the CPU target: targetCPUUtilizationPercentage is a Resource cpu
/// metric with an Utilization target, currentCPUUtilizationPercentage its current utilization. Other v2 metrics are not
/// shown in v1 (the apiserver keeps them in an annotation; the sandbox keeps them in storage only).
/// </summary>
internal static class HpaV1
{
    public static ResourceType Type { get; } =
        new("autoscaling", "v1", "horizontalpodautoscalers", "horizontalpodautoscaler", "HorizontalPodAutoscaler", Namespaced: true)
        {
            Model = typeof(k8s.Models.V1HorizontalPodAutoscaler),
            ShortNames = ["hpa"],
            Categories = ["all"],
            HasStatusSubresource = true,
            StorageKey = "horizontalpodautoscalers.autoscaling",
            ApplyDefaults = o => o.Obj("spec")["minReplicas"] ??= 1,
            Validate = Validate,
            ToStorage = ToV2,
            FromStorage = FromV2,
            Columns = HpaColumns.For(ToV2),
        };

    public static JsonObject ToV2(JsonObject v1)
    {
        var v2 = (JsonObject)v1.DeepClone();
        v2["apiVersion"] = "autoscaling/v2";
        if (v2["spec"] is JsonObject spec)
        {
            var target = spec["targetCPUUtilizationPercentage"];
            spec.Remove("targetCPUUtilizationPercentage");
            spec["metrics"] = target is null ? null : new JsonArray(CpuMetric("target", target.DeepClone()));
            if (spec["metrics"] is null)
            {
                spec.Remove("metrics");
            }
        }

        if (v2["status"] is JsonObject status)
        {
            var current = status["currentCPUUtilizationPercentage"];
            status.Remove("currentCPUUtilizationPercentage");
            if (current is not null)
            {
                status["currentMetrics"] = new JsonArray(CpuMetric("current", current.DeepClone()));
            }
        }

        return v2;
    }

    public static JsonObject FromV2(JsonObject v2)
    {
        var v1 = (JsonObject)v2.DeepClone();
        if (v1["spec"] is JsonObject spec)
        {
            var cpu = Cpu(spec["metrics"], "target");
            spec.Remove("metrics");
            spec.Remove("behavior");
            if (cpu is not null)
            {
                spec["targetCPUUtilizationPercentage"] = cpu;
            }
        }

        if (v1["status"] is JsonObject status)
        {
            var cpu = Cpu(status["currentMetrics"], "current");
            status.Remove("currentMetrics");
            status.Remove("conditions");
            if (cpu is not null)
            {
                status["currentCPUUtilizationPercentage"] = cpu;
            }
        }

        return v1;
    }

    private static JsonObject CpuMetric(string field, JsonNode utilization)
    {
        var value = new JsonObject { ["averageUtilization"] = utilization };
        if (field == "target")
        {
            value["type"] = "Utilization";
        }

        return new JsonObject { ["type"] = "Resource", ["resource"] = new JsonObject { ["name"] = "cpu", [field] = value } };
    }

    private static JsonNode? Cpu(JsonNode? metrics, string field) =>
        (metrics as JsonArray)?.OfType<JsonObject>()
            .Where(m => (string?)m["type"] == "Resource" && (string?)m["resource"]?["name"] == "cpu")
            .Select(m => m["resource"]?[field]?["averageUtilization"]?.DeepClone())
            .FirstOrDefault(u => u is not null);

    private static List<FieldError> Validate(JsonObject hpa)
    {
        var errors = BuiltInResources.ValidateHpa(hpa);
        if (JsonPaths.GetInt(hpa, "spec.targetCPUUtilizationPercentage") is < 1 and var cpu)
        {
            errors.Add(FieldError.Invalid("spec.targetCPUUtilizationPercentage", cpu, "must be greater than 0"));
        }

        return errors;
    }
}
