using System.Globalization;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace ScaleControl.Sandbox.Kubernetes.Cluster;

/// <summary>
/// Why a container in the sandbox never becomes ready: its image cannot be pulled (<see cref="SimulatedRegistry"/>),
/// or it exits as soon as it starts. A container exits when its command (then args) is <c>false</c>, a shell's
/// <c>-c "exit N"</c>, or when it has the env var <see cref="ExitCodeVariable"/>: what <c>kubectl create deployment
/// crash --image=busybox -- false</c> or <c>kubectl set env deploy/web SANDBOX_EXIT_CODE=1</c> writes.
/// </summary>
internal abstract partial record ContainerFault(string Name, string Image)
{
    /// <summary>An env var whose integer value (0–255) is the exit code the container ends with.</summary>
    public const string ExitCodeVariable = "SANDBOX_EXIT_CODE";

    private static readonly HashSet<string> s_false = new(["false", "/bin/false", "/usr/bin/false"], StringComparer.Ordinal);
    private static readonly HashSet<string> s_shells = new(["sh", "/bin/sh", "bash", "/bin/bash", "ash", "/bin/ash"], StringComparer.Ordinal);

    /// <summary>The container's fault, or null when it runs (and becomes ready) normally.</summary>
    public static ContainerFault? Of(JsonObject container)
    {
        var name = (string?)container["name"] ?? "";
        var image = (string?)container["image"] ?? "";
        if (SimulatedRegistry.PullError(image) is { } error)
        {
            return new PullFault(name, image, error);
        }

        return ExitCode(container) is { } code ? new CrashFault(name, image, code) : null;
    }

    /// <summary>The faults of a pod's containers, in spec order; empty when every container runs.</summary>
    public static IReadOnlyList<ContainerFault> OfPod(JsonObject? podSpec) =>
        [.. ((podSpec?["containers"] as JsonArray)?.OfType<JsonObject>() ?? []).Select(Of).OfType<ContainerFault>()];

    private static int? ExitCode(JsonObject container)
    {
        var env = (container["env"] as JsonArray)?.OfType<JsonObject>().LastOrDefault(e => (string?)e["name"] == ExitCodeVariable);
        if ((string?)env?["value"] is { } value && int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var fromEnv) && fromEnv <= 255)
        {
            return fromEnv;
        }

        string[] argv = [.. Strings(container["command"]), .. Strings(container["args"])];
        if (argv is [var only] && s_false.Contains(only))
        {
            return 1;
        }

        return argv is [var shell, "-c", var script] && s_shells.Contains(shell) && ExitScript().Match(script) is { Success: true } exit
            ? int.Parse(exit.Groups[1].Value, CultureInfo.InvariantCulture) % 256
            : null;
    }

    private static IEnumerable<string> Strings(JsonNode? node) => (node as JsonArray)?.Select(n => (string?)n ?? "") ?? [];

    [GeneratedRegex(@"^\s*exit\s+([0-9]{1,3})\s*;?\s*$")]
    private static partial Regex ExitScript();
}

/// <summary>The image cannot be pulled: <paramref name="Error"/> is the runtime's error.</summary>
internal sealed record PullFault(string Name, string Image, string Error) : ContainerFault(Name, Image);

/// <summary>The container exits with <paramref name="ExitCode"/> as soon as it starts.</summary>
internal sealed record CrashFault(string Name, string Image, int ExitCode) : ContainerFault(Name, Image);
