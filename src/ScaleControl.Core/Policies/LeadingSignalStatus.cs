namespace ScaleControl.Core.Policies;

/// <summary>
/// The conversion a leading signal learned from the traffic its events brought (<c>status.leadingSignal</c>):
/// <c>requestsPerUnit × LearnedFactor</c> sizes the next event's floor. It records the conversion it was learned for
/// (the signal's name, query, metric and requestsPerUnit), so a changed conversion starts again from 1.
/// </summary>
public sealed record LeadingSignalStatus
{
    /// <summary>The most events counted; the count is for people, the factor carries what was learned.</summary>
    public const int MaxEvents = 1_000_000;

    /// <summary>The multiple of the configured requestsPerUnit the next event is sized with (0.5..2).</summary>
    public double LearnedFactor { get; init; } = 1;

    /// <summary>How many events were judged (including those within tolerance) since the conversion was set.</summary>
    public int Events { get; init; }

    /// <summary>When the last event was judged: a rise that began before it is that event (or an earlier one), not counted again.</summary>
    public DateTimeOffset? LastEventAt { get; init; }

    /// <summary>What the last event's traffic was of the expected (observed / expected excess, 0.5..2).</summary>
    public double? LastEventFactor { get; init; }

    /// <summary>The signal it was learned for (its name, query and metric, as in the spec).</summary>
    public string Name { get; init; } = "";

    public string Query { get; init; } = "";

    public string? Metric { get; init; }

    /// <summary>The configured conversion it was learned against.</summary>
    public double RequestsPerUnit { get; init; }
}
