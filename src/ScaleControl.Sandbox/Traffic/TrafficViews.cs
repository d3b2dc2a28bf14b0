namespace ScaleControl.Sandbox.Traffic;

/// <summary>A hot event as the API shows it: the request, when it runs and where it is now.</summary>
public sealed record HotEventView(
    string Id,
    string Namespace,
    string Workload,
    double Multiplier,
    int RampSeconds,
    int HoldSeconds,
    int DecaySeconds,
    DateTimeOffset StartsAt,
    DateTimeOffset EndsAt,
    string Origin,
    string Phase,
    double CurrentMultiplier)
{
    public static HotEventView From(HotEvent e, DateTimeOffset now) => new(
        e.Id, e.Namespace, e.Workload, e.Multiplier, e.RampSeconds, e.HoldSeconds, e.DecaySeconds,
        e.StartsAt, e.EndsAt, e.Origin, e.PhaseAt(now), Math.Round(1 + e.ExtraAt(now), 3));
}

/// <summary>One service right now, for <c>GET /sandbox/traffic/services</c> and the dashboard.</summary>
public sealed record ServiceView(
    string Namespace,
    string Workload,
    double DemandQps,
    double ServedQps,
    double ErrorQps,
    double ErrorRatio,
    double LatencyMeanSeconds,
    double LatencyP99Seconds,
    int ReadyReplicas,
    double CapacityQps,
    double? Utilization,
    string[] ActiveHotEvents,
    string? ReplayingTrace)
{
    public static ServiceView From(ServiceStatus status)
    {
        var c = status.Conditions;
        return new ServiceView(
            status.Namespace, status.Workload,
            Math.Round(c.DemandQps, 3), Math.Round(c.ServedQps, 3), Math.Round(c.ErrorQps, 3), Math.Round(c.ErrorRatio, 5),
            Math.Round(c.LatencyMeanSeconds, 4), Math.Round(c.LatencyP99Seconds, 4),
            c.ReadyReplicas, Math.Round(c.CapacityQps, 3),
            double.IsFinite(c.Utilization) ? Math.Round(c.Utilization, 4) : null, // no pods: JSON has no Infinity
            status.ActiveHotEvents, status.ReplayingTrace);
    }
}

/// <summary>
/// Body of <c>POST /sandbox/traffic/replays</c>: play a trace of <c>samples/traces</c> as a service's demand,
/// scaled to the service's baseline unless <see cref="Absolute"/>.
/// </summary>
public sealed record TraceReplayRequest(string? Namespace, string? Workload, string? Trace, double? Speed = null, bool Absolute = false);

/// <summary>A push campaign as the API shows it: when the pushes go out, when the opens arrive, where it is now.</summary>
public sealed record PushCampaignView(
    string Id,
    string Namespace,
    string Workload,
    long Recipients,
    string Trace,
    DateTimeOffset StartsAt,
    DateTimeOffset SentBy,
    DateTimeOffset TrafficFrom,
    DateTimeOffset EndsAt,
    string Phase,
    double PushesPerSecond,
    double ExtraQps)
{
    public static PushCampaignView From(PushCampaign c, DateTimeOffset now) => new(
        c.Id, c.Namespace, c.Workload, c.Recipients, c.Shape.TraceName, c.StartsAt, c.SentBy, c.TrafficFrom, c.EndsAt,
        c.PhaseAt(now), Math.Round(c.PushesPerSecondAt(now), 1), Math.Round(c.ExtraQpsAt(now), 1));
}
