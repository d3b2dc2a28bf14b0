using System.Globalization;
using System.Text.Json.Nodes;
using ScaleControl.Sandbox.Kubernetes.Api;
using ScaleControl.Sandbox.Kubernetes.Json;

namespace ScaleControl.Sandbox.Kubernetes.Resources;

/// <summary>
/// apps/validation's ValidateDeploymentStrategy and ValidateRollingUpdateDeployment: a Recreate Deployment carries no
/// rollingUpdate (the leftover a merge patch or a server-side apply of <c>type: Recreate</c> keeps is refused, as on a
/// real cluster; client-side <c>kubectl apply</c> drops it with <c>$retainKeys</c>); maxSurge and maxUnavailable are
/// non-negative ints or percentages, not both 0, maxUnavailable at most 100 %. An IntOrString prints through its
/// String() (no quotes).
/// </summary>
internal static class DeploymentStrategyRules
{
    public static IEnumerable<FieldError> Validate(JsonObject deployment)
    {
        var strategy = deployment["spec"]?["strategy"] as JsonObject;
        var rollingUpdate = strategy?["rollingUpdate"] as JsonObject;
        switch (JsonPaths.GetString(strategy, "type"))
        {
            case "Recreate" when strategy!["rollingUpdate"] is not null:
                yield return FieldError.Forbidden("spec.strategy.rollingUpdate", "may not be specified when strategy `type` is 'Recreate'");
                break;
            case "RollingUpdate" when rollingUpdate is not null:
                foreach (var error in RollingUpdate(rollingUpdate))
                {
                    yield return error;
                }

                break;
        }
    }

    private static IEnumerable<FieldError> RollingUpdate(JsonObject rollingUpdate)
    {
        const string Path = "spec.strategy.rollingUpdate";
        var maxUnavailable = rollingUpdate["maxUnavailable"];
        var maxSurge = rollingUpdate["maxSurge"];
        foreach (var error in NonNegativeIntOrPercent(maxUnavailable, $"{Path}.maxUnavailable").Concat(NonNegativeIntOrPercent(maxSurge, $"{Path}.maxSurge")))
        {
            yield return error;
        }

        if (Value(maxUnavailable) == 0 && Value(maxSurge) == 0)
        {
            yield return Shown($"{Path}.maxUnavailable", maxUnavailable, "may not be 0 when `maxSurge` is 0");
        }

        if (maxUnavailable is JsonValue text && text.TryGetValue<string>(out var percent) && Value(maxUnavailable) > 100 && percent.EndsWith('%'))
        {
            yield return Shown($"{Path}.maxUnavailable", maxUnavailable, "must not be greater than 100%");
        }
    }

    private static IEnumerable<FieldError> NonNegativeIntOrPercent(JsonNode? value, string path)
    {
        if (value is JsonValue v && v.TryGetValue<int>(out var n) && n < 0)
        {
            yield return Shown(path, value, "must be greater than or equal to 0");
        }
        else if (value is JsonValue s && s.TryGetValue<string>(out var text) && !IsPercent(text))
        {
            yield return Shown(path, value, "a valid percent string must be a numeric string followed by an ending '%' (e.g. '1%', or '93%', regex used for validation is '[0-9]+%')");
        }
    }

    // getIntOrPercentValue: the number, or the number before '%'.
    private static int? Value(JsonNode? value) => value switch
    {
        JsonValue v when v.TryGetValue<int>(out var n) => n,
        JsonValue v when v.TryGetValue<string>(out var s) && int.TryParse(s.TrimEnd('%'), NumberStyles.None, CultureInfo.InvariantCulture, out var n) => n,
        _ => null,
    };

    private static bool IsPercent(string s) => s.Length is > 1 and < 10 && s[^1] == '%' && s[..^1].All(char.IsAsciiDigit);

    private static FieldError Shown(string field, JsonNode? value, string detail) =>
        new(field, FieldErrorType.Invalid, detail) { GoValue = value?.ToString() ?? "null" };
}
