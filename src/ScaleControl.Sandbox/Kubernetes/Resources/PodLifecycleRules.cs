using System.Text.Json.Nodes;
using ScaleControl.Sandbox.Kubernetes.Api;
using ScaleControl.Sandbox.Kubernetes.Operations;

namespace ScaleControl.Sandbox.Kubernetes.Resources;

/// <summary>
/// core/validation's validateLifecycle and validateHandler (1.32) for a container's <c>postStart</c> and <c>preStop</c>
/// hooks: exactly one handler (<c>exec</c>, <c>httpGet</c>, <c>tcpSocket</c> or <c>sleep</c>), and a <c>sleep</c> of
/// more than 0 seconds and at most the pod's terminationGracePeriodSeconds (validateSleepAction, with the
/// PodLifecycleSleepActionAllowZero gate off as in 1.32; an update of a spec that already sleeps 0 may keep 0, as
/// AllowPodLifecycleSleepActionZeroValue lets it).
/// </summary>
internal static class PodLifecycleRules
{
    private static readonly string[] s_handlers = ["exec", "httpGet", "tcpSocket", "sleep"];

    public static IReadOnlyList<FieldError> Pod(JsonObject pod, JsonObject? before) =>
        Spec(pod["spec"] as JsonObject, before?["spec"] as JsonObject, "spec");

    /// <summary>A workload's template: the paths start <c>spec.template.spec</c>.</summary>
    public static IReadOnlyList<FieldError> Template(JsonObject workload, JsonObject? before) =>
        Spec(workload["spec"]?["template"]?["spec"] as JsonObject, before?["spec"]?["template"]?["spec"] as JsonObject, "spec.template.spec");

    private static List<FieldError> Spec(JsonObject? spec, JsonObject? before, string path)
    {
        var errors = new List<FieldError>();
        var grace = PodGracePeriod.Seconds(spec?["terminationGracePeriodSeconds"]);
        var allowZero = Containers(before).Any(c => Hooks(c).Any(h => h.Hook["sleep"] is JsonObject sleep && PodGracePeriod.Seconds(sleep["seconds"]) == 0));
        var containers = Containers(spec).ToList();
        for (var i = 0; i < containers.Count; i++)
        {
            foreach (var (name, hook) in Hooks(containers[i]))
            {
                var hookPath = $"{path}.containers[{i}].lifecycle.{name}";
                var given = s_handlers.Where(h => hook[h] is JsonObject).ToList();
                if (given.Count == 0)
                {
                    errors.Add(FieldError.Required(hookPath, "must specify a handler type"));
                }

                errors.AddRange(given.Skip(1).Select(h => FieldError.Forbidden($"{hookPath}.{h}", "may not specify more than 1 handler type")));
                if (given.FirstOrDefault() == "sleep" && grace is { } period && PodGracePeriod.Seconds(hook["sleep"]!["seconds"]) is { } seconds
                    && (seconds < 0 || (seconds == 0 && !allowZero) || seconds > period))
                {
                    errors.Add(FieldError.Invalid($"{hookPath}.sleep", seconds, allowZero
                        ? $"must be non-negative and less than terminationGracePeriodSeconds ({period})"
                        : $"must be greater than 0 and less than terminationGracePeriodSeconds ({period}). Enable AllowPodLifecycleSleepActionZeroValue feature gate for zero sleep."));
                }
            }
        }

        return errors;
    }

    private static IEnumerable<JsonObject> Containers(JsonObject? spec) => (spec?["containers"] as JsonArray)?.OfType<JsonObject>() ?? [];

    // In validateLifecycle's order: postStart, then preStop.
    private static IEnumerable<(string Name, JsonObject Hook)> Hooks(JsonObject container)
    {
        foreach (var name in new[] { "postStart", "preStop" })
        {
            if (container["lifecycle"]?[name] is JsonObject hook)
            {
                yield return (name, hook);
            }
        }
    }
}
