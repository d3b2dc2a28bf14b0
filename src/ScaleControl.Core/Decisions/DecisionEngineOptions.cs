namespace ScaleControl.Core.Decisions;

/// <summary>Engine-wide settings that are not part of a policy.</summary>
public sealed record DecisionEngineOptions
{
    /// <summary>A sample older than max(this, StaleAfterIntervals x evaluation interval) is stale.</summary>
    public TimeSpan MinStaleAfter { get; init; } = TimeSpan.FromSeconds(30);

    public int StaleAfterIntervals { get; init; } = 3;

    /// <summary>Prediction look-ahead when the policy sets none and the pod start-up time is not yet observed.</summary>
    public TimeSpan DefaultLookAhead { get; init; } = TimeSpan.FromSeconds(45);

    /// <summary>While pods are still starting, scale-downs wait this long after the last scale-up at most.</summary>
    public TimeSpan MaxStartupWait { get; init; } = TimeSpan.FromMinutes(10);
}
