namespace ScaleControl.Sandbox.Traffic;

/// <summary>
/// A surge of one service's demand: it ramps linearly from 1x to <see cref="Multiplier"/>, holds, then decays back.
/// Several events on one service add their extra demand (two 3x events make 5x, not 9x).
/// </summary>
public sealed record HotEvent(
    string Id,
    string Namespace,
    string Workload,
    double Multiplier,
    int RampSeconds,
    int HoldSeconds,
    int DecaySeconds,
    DateTimeOffset StartsAt,
    string Origin)
{
    public const string OriginApi = "api";
    public const string OriginDemo = "demo";

    public DateTimeOffset EndsAt => StartsAt.AddSeconds(RampSeconds + HoldSeconds + DecaySeconds);

    /// <summary>Demand added on top of the baseline at <paramref name="time"/>, as a fraction of it (0 outside the event).</summary>
    public double ExtraAt(DateTimeOffset time) => (Multiplier - 1) * Intensity((time - StartsAt).TotalSeconds);

    public string PhaseAt(DateTimeOffset time)
    {
        var t = (time - StartsAt).TotalSeconds;
        return t < 0 ? "pending"
            : t < RampSeconds ? "ramp"
            : t < RampSeconds + HoldSeconds ? "hold"
            : t < RampSeconds + HoldSeconds + DecaySeconds ? "decay"
            : "ended";
    }

    private double Intensity(double t)
    {
        if (t < 0)
            return 0;
        if (t < RampSeconds)
            return t / RampSeconds;
        t -= RampSeconds;
        if (t < HoldSeconds)
            return 1;
        t -= HoldSeconds;
        return t < DecaySeconds ? 1 - t / DecaySeconds : 0;
    }
}
