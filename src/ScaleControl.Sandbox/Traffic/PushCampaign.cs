namespace ScaleControl.Sandbox.Traffic;

/// <summary>
/// A push notification to <see cref="Recipients"/> users that deep-links into one service: the pushes are counted
/// (<c>push_sent_total</c>, the leading signal) and the opens arrive as extra demand a minute or two later, both shaped
/// by <see cref="Shape"/>.
/// </summary>
public sealed record PushCampaign(string Id, string Namespace, string Workload, long Recipients, PushShape Shape, DateTimeOffset StartsAt)
{
    public DateTimeOffset EndsAt => StartsAt.AddSeconds(Shape.DurationSeconds);

    /// <summary>When the last push goes out.</summary>
    public DateTimeOffset SentBy => StartsAt.AddSeconds(Shape.SendSeconds);

    /// <summary>When the opens have arrived (a tenth of their peak): the lead a leading signal has to work with.</summary>
    public DateTimeOffset TrafficFrom => StartsAt.AddSeconds(Shape.ArrivalSeconds);

    public double PushesPerSecondAt(DateTimeOffset time) => Recipients * Shape.PushesPerRecipient((time - StartsAt).TotalSeconds);

    public double ExtraQpsAt(DateTimeOffset time) => Recipients * Shape.ExtraQpsPerRecipient((time - StartsAt).TotalSeconds);

    public string PhaseAt(DateTimeOffset time) =>
        time < StartsAt ? "pending"
        : time <= SentBy ? "sending"
        : time < EndsAt ? "opens"
        : "ended";
}
