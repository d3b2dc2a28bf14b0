using System.Globalization;
using System.Text.Json.Nodes;
using ScaleControl.Sandbox.Kubernetes.Json;

namespace ScaleControl.Sandbox.Kubernetes.Cluster;

/// <summary>
/// A Deployment's spec.strategy and progress deadline, resolved as the deployment controller's util does
/// (deployment/util MaxSurge, MaxUnavailable, ResolveFenceposts; intstr GetScaledValueFromIntOrPercent).
/// Unset values take apps/v1's defaults (25%, 25%, 600 s), so a seeded Deployment behaves as a defaulted one.
/// </summary>
internal sealed record DeploymentStrategy(bool Recreate, JsonNode? MaxSurgeValue, JsonNode? MaxUnavailableValue, int? ProgressDeadlineSeconds)
{
    public static DeploymentStrategy Of(JsonObject? deployment)
    {
        var rollingUpdate = deployment?["spec"]?["strategy"]?["rollingUpdate"];
        return new DeploymentStrategy(
            JsonPaths.GetString(deployment ?? [], "spec.strategy.type") == "Recreate",
            rollingUpdate?["maxSurge"] ?? JsonValue.Create("25%"),
            rollingUpdate?["maxUnavailable"] ?? JsonValue.Create("25%"),
            deployment?["spec"]?["progressDeadlineSeconds"] is JsonValue v && v.TryGetValue<int>(out var seconds) ? seconds : 600);
    }

    /// <summary>As HasProgressDeadline: math.MaxInt32 means none.</summary>
    public bool HasProgressDeadline => ProgressDeadlineSeconds is { } s && s != int.MaxValue;

    /// <summary>maxSurge scaled to the replicas, rounded up; 0 for Recreate.</summary>
    public int MaxSurge(int replicas) => Recreate ? 0 : Fenceposts(replicas).Surge;

    /// <summary>maxUnavailable scaled to the replicas, rounded down, at most replicas; 0 for Recreate or no replicas.</summary>
    public int MaxUnavailable(int replicas) => Recreate || replicas == 0 ? 0 : Math.Min(Fenceposts(replicas).Unavailable, replicas);

    /// <summary>The surge as NewRSNewReplicas reads it: the raw value rounded up, without the fencepost rule.</summary>
    public int RawSurge(int replicas) => Scaled(MaxSurgeValue, replicas, roundUp: true);

    // ResolveFenceposts: both zero would stall a rollout, so maxUnavailable becomes 1.
    private (int Surge, int Unavailable) Fenceposts(int replicas)
    {
        var surge = Scaled(MaxSurgeValue, replicas, roundUp: true);
        var unavailable = Scaled(MaxUnavailableValue, replicas, roundUp: false);
        return surge == 0 && unavailable == 0 ? (0, 1) : (surge, unavailable);
    }

    // GetScaledValueFromIntOrPercent: an int as is, "N%" of total rounded up or down. Validation rejects anything else.
    internal static int Scaled(JsonNode? value, int total, bool roundUp) => value switch
    {
        JsonValue v when v.TryGetValue<int>(out var n) => n,
        JsonValue v when v.TryGetValue<string>(out var s) && s.EndsWith('%')
            && int.TryParse(s[..^1], NumberStyles.None, CultureInfo.InvariantCulture, out var percent) => roundUp
                ? (int)Math.Ceiling(percent * (double)total / 100)
                : (int)Math.Floor(percent * (double)total / 100),
        JsonValue v when v.TryGetValue<string>(out var s) && int.TryParse(s, NumberStyles.None, CultureInfo.InvariantCulture, out var n) => n,
        _ => 0,
    };
}
