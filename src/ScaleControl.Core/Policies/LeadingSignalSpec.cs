namespace ScaleControl.Core.Policies;

/// <summary>
/// A PromQL series that announces traffic before it arrives, e.g. push notifications sent per second, with the
/// conversion to the traffic it brings: <c>extra = signal × requestsPerUnit</c>, in the unit of <see cref="Metric"/>.
/// The engine turns a rise of the signal into a replica floor for the traffic that has not arrived yet
/// (see <c>LeadingSignalFloor</c>).
/// </summary>
public sealed record LeadingSignalSpec
{
    /// <summary>Short name used in reasons (e.g. "push").</summary>
    public string Name { get; init; } = "";

    /// <summary>A PromQL expression that yields one number, e.g. <c>sum(rate(push_sent_total[1m]))</c>.</summary>
    public string Query { get; init; } = "";

    /// <summary>The PerReplica metric the expected traffic adds to; null = the policy's first PerReplica metric.</summary>
    public string? Metric { get; init; }

    /// <summary>
    /// Units of the metric expected per unit of the signal (recipients × open rate × requests per open, as a rate):
    /// too high over-provisions for every announcement, too low leaves the reactive path to catch the rest.
    /// </summary>
    public double RequestsPerUnit { get; init; }

    /// <summary>
    /// How long after the signal the traffic arrives. The part of the signal older than this is taken to be in the
    /// metric already: too long counts arrived traffic twice, too short is covered by <see cref="HoldSeconds"/>.
    /// </summary>
    public int LeadSeconds { get; init; } = 90;

    /// <summary>The length of the traffic the signal announces: a floor raised by the signal stays this long after the lead.</summary>
    public int HoldSeconds { get; init; } = 600;

    /// <summary>Spare capacity on top of the expected traffic, as a fraction (0.1 = 10 %).</summary>
    public double Headroom { get; init; } = 0.1;
}

/// <summary>
/// An event someone announced ("push to 30M users at 20:00 for 20 minutes"): a replica floor from
/// <see cref="At"/> − <see cref="LeadSeconds"/> until <see cref="At"/> + <see cref="DurationSeconds"/>.
/// </summary>
public sealed record ExpectedEventSpec
{
    /// <summary>Events live in the resource; a bound keeps it small (ended ones are pruned when new ones are added).</summary>
    public const int MaxPerPolicy = 20;

    public string Name { get; init; } = "";

    /// <summary>When the traffic is expected to start.</summary>
    public DateTimeOffset At { get; init; }

    /// <summary>How long the traffic lasts after <see cref="At"/>.</summary>
    public int DurationSeconds { get; init; }

    /// <summary>How long before <see cref="At"/> the floor starts (pod start-up plus slack; longer where approval is needed).</summary>
    public int LeadSeconds { get; init; }

    /// <summary>The floor.</summary>
    public int Replicas { get; init; }

    /// <summary>When the floor was given as a traffic multiple (<c>--expect 3x</c>): the multiple, for the record.</summary>
    public double? Multiplier { get; init; }

    /// <summary>
    /// The replicas the multiple was applied to: the forecast of the baseline at <see cref="At"/>, never below the
    /// workload's count when the event was recorded (<c>ExpectedEventBaseline</c>).
    /// </summary>
    public int? BaseReplicas { get; init; }

    /// <summary>Where <see cref="BaseReplicas"/> came from, in words ("the demand 1 day before, at 2026-12-03 20:00Z; 12 running now").</summary>
    public string? BaseSource { get; init; }

    public string Reason { get; init; } = "";
    public string? By { get; init; }

    /// <summary>Where it was recorded from: Cli, Api or DingTalk.</summary>
    public string? Channel { get; init; }

    public DateTimeOffset? CreatedAt { get; init; }

    /// <summary>When the floor starts (a method, so it is not serialized into the resource).</summary>
    public DateTimeOffset FloorStart() => Plus(At, -LeadSeconds);

    /// <summary>When the floor ends.</summary>
    public DateTimeOffset FloorEnd() => Plus(At, DurationSeconds);

    /// <summary>
    /// <paramref name="at"/> moved by <paramref name="seconds"/>, held at the ends of the calendar: a time near year 1
    /// or 9999 written with kubectl must not throw on every evaluation (the policy would silently stop being evaluated).
    /// </summary>
    private static DateTimeOffset Plus(DateTimeOffset at, int seconds) =>
        new(Math.Clamp(at.UtcTicks + (seconds * TimeSpan.TicksPerSecond), DateTimeOffset.MinValue.UtcTicks, DateTimeOffset.MaxValue.UtcTicks), TimeSpan.Zero);
}
