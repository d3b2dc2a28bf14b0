namespace ScaleControl.Core.Pods;

/// <summary>
/// The pods of a workload as one bounded read found them: <see cref="Truncated"/> when the workload has more than were
/// read; <see cref="Problem"/> when none could be read (no permission, the API failed), in words for a person.
/// </summary>
public sealed record WorkloadPods(IReadOnlyList<PodFacts> Pods, bool Truncated, string? Problem = null)
{
    public static WorkloadPods Unreadable(string problem) => new([], false, problem);
}
