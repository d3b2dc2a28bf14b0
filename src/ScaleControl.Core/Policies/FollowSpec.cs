namespace ScaleControl.Core.Policies;

/// <summary>
/// Sizes the policy's workload from another workload instead of a metric: <c>ceil(leader's desired replicas × ratio)</c>,
/// then the policy's own behaviour, min/max and mode. The leader's desired count is its policy's decision in the
/// same evaluation (so a call chain scales in one decision), else its current replicas.
/// </summary>
public sealed record FollowSpec
{
    public const double MinRatio = 0.01;
    public const double MaxRatio = 100;

    /// <summary>The followed workload, <c>namespace/name</c> (or <c>name</c> in the policy's namespace).</summary>
    public string Workload { get; init; } = "";

    /// <summary>Kind of the followed workload.</summary>
    public string Kind { get; init; } = TargetRef.DeploymentKind;

    /// <summary>Replicas of this workload per replica of the leader (0.5: half as many).</summary>
    public double Ratio { get; init; } = 1;

    /// <summary>The followed workload's <c>namespace/name</c>, resolved against the following policy's namespace.</summary>
    public string LeaderKey(string policyNamespace) => Workload.Contains('/') ? Workload : $"{policyNamespace}/{Workload}";
}
