namespace ScaleControl.Core.Policies;

/// <summary>
/// An Observe policy's shadow record: what it would have run next to what ran, since <see cref="Since"/> (the first
/// evaluation in mode Observe). Times between two evaluations count with the counts of the first of them; a gap longer
/// than <see cref="Decisions.ObservationTally.MaxGapIntervals"/> evaluation intervals (no leader, the loop down) is left
/// out rather than guessed, so <see cref="ObservedSeconds"/> may be less than the time since <see cref="Since"/>.
/// </summary>
public sealed record ObservationStatus
{
    public DateTimeOffset Since { get; init; }

    /// <summary>The evaluation the counts below reach to.</summary>
    public DateTimeOffset LastObserved { get; init; }

    /// <summary>What the policy would run at <see cref="LastObserved"/>.</summary>
    public int WouldReplicas { get; init; }

    /// <summary>What the workload ran (spec.replicas) at <see cref="LastObserved"/>.</summary>
    public int RunningReplicas { get; init; }

    /// <summary>Seconds counted (gaps left out).</summary>
    public double ObservedSeconds { get; init; }

    /// <summary>Of <see cref="ObservedSeconds"/>, the seconds the policy would have run another count than ran.</summary>
    public double DifferentSeconds { get; init; }

    /// <summary>Pod-seconds the policy would have run above what ran (Σ max(0, would − running) × seconds).</summary>
    public double PodSecondsMore { get; init; }

    /// <summary>Pod-seconds the policy would have run below what ran (Σ max(0, running − would) × seconds).</summary>
    public double PodSecondsLess { get; init; }

    /// <summary>Scale writes it would have made: each time the count it would run moved to one the workload did not run.</summary>
    public int WouldChanges { get; init; }

    /// <summary>Changes of the workload's spec.replicas it saw (by the HPA, a person, anything else).</summary>
    public int WorkloadChanges { get; init; }
}
