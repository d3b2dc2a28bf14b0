using System.Text.Json.Nodes;

namespace ScaleControl.Cli.Tests.EndToEnd;

/// <summary>A policy the sandbox world starts with, as <c>GET /api/v1/policies</c> describes it.</summary>
public sealed record SandboxPolicy(string Namespace, string Name, string Workload, string Mode)
{
    public string Id => $"{Namespace}/{Name}";

    public string WorkloadId => $"{Namespace}/{Workload}";

    /// <summary>The seeded policies in the namespaces the operator zhangsan may act in.</summary>
    public static async Task<IReadOnlyList<SandboxPolicy>> ListAsync(CliSandbox server)
    {
        var policies = (await server.ApiAsync(HttpMethod.Get, "/api/v1/policies"))!.AsArray();
        return [.. policies
            .Select(p => new SandboxPolicy(
                p!["metadata"]!["namespace"]!.GetValue<string>(),
                p["metadata"]!["name"]!.GetValue<string>(),
                p["spec"]!["target"]!["name"]!.GetValue<string>(),
                p["spec"]!["mode"]!.GetValue<string>()))
            .Where(p => p.Namespace is "shop" or "feed" or "video")
            .OrderBy(p => p.Id, StringComparer.Ordinal)];
    }

    /// <summary>A seeded policy that asks people (Approval or Hybrid), for the incident flow.</summary>
    public static async Task<SandboxPolicy> NeedingApprovalAsync(CliSandbox server) =>
        (await ListAsync(server)).First(p => p.Mode is "Approval" or "Hybrid");

    /// <summary>A seeded policy other than <paramref name="not"/>, for overrides that must not disturb the incident flow.</summary>
    public static async Task<SandboxPolicy> OtherThanAsync(CliSandbox server, SandboxPolicy not) =>
        (await ListAsync(server)).Last(p => p.Id != not.Id);

    public static JsonObject HotEvent(SandboxPolicy policy, double multiplier) => new()
    {
        ["namespace"] = policy.Namespace,
        ["workload"] = policy.Workload,
        ["multiplier"] = multiplier,
        ["rampSeconds"] = 0,
        ["holdSeconds"] = 600,
        ["decaySeconds"] = 0,
    };
}
