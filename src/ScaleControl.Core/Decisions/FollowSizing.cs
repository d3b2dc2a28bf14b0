using System.Globalization;
using ScaleControl.Core.Policies;
using ScaleControl.Core.Proposals;

namespace ScaleControl.Core.Decisions;

/// <summary>
/// The followed workload as the loop saw it: its desired replicas (its policy's decision this evaluation, or its
/// current count), or why there is none (missing, a follow cycle).
/// </summary>
/// <param name="Source">Where the count came from: "decision" or "current".</param>
public sealed record LeaderReading(string Workload, int? DesiredReplicas, string Source, string? Problem = null)
{
    public static LeaderReading Missing(string workload, string problem) => new(workload, null, "none", problem);
}

/// <summary>What a follower asks for: <c>ceil(leader's desired × ratio)</c>; a missing leader is a problem, never a number.</summary>
internal static class FollowSizing
{
    /// <summary>Rounding slack so 10 × 0.3 asks for 3, not 4.</summary>
    private const double Epsilon = 1e-9;

    public static (int? Wanted, string? Problem, MetricEvidence Evidence) Assess(FollowSpec follow, LeaderReading? leader, string policyNamespace)
    {
        var name = follow.LeaderKey(policyNamespace);
        var evidenceName = $"follows {name}";
        if (leader is not { DesiredReplicas: { } desired, Problem: null })
        {
            var problem = leader?.Problem ?? $"leader {name} not read";
            return (null, problem, new MetricEvidence { Name = evidenceName, Target = 1 / follow.Ratio, Problem = problem });
        }

        var wanted = Math.Max(0, (int)Math.Ceiling(desired * follow.Ratio - Epsilon));
        return (wanted, null, new MetricEvidence { Name = evidenceName, Value = desired, Target = 1 / follow.Ratio, Recommendation = wanted });
    }

    /// <summary>"follows feed/feed-service at 8 (decision) × 0.5 -> 4".</summary>
    public static string Describe(FollowSpec follow, LeaderReading? leader, int? wanted, string? problem, string policyNamespace) =>
        problem is not null
            ? $"follows {follow.LeaderKey(policyNamespace)}: {problem}"
            : string.Create(CultureInfo.InvariantCulture,
                $"follows {follow.LeaderKey(policyNamespace)} at {leader!.DesiredReplicas} ({leader.Source}) × {follow.Ratio} -> {wanted}");
}
