namespace ScaleControl.Times;

/// <summary>
/// Wall-clock times of a time zone as instants, the one rule for times people type (compiled into scalectl, for
/// <c>scalectl prepare --at</c>, and into Core, for chat's <c>prepare … at</c>). A time the clocks pass twice (the
/// night they go back) is the first of the two: a floor an hour early costs an hour of pods, one an hour late misses
/// the traffic (.NET's default is the later, standard-time one). A time the clocks skip (the night they go forward)
/// does not exist and is refused: moving it either way would be a guess.
/// </summary>
internal static class WallClock
{
    /// <summary>The instant <paramref name="local"/> shows in <paramref name="zone"/>; false when the clocks skip it.</summary>
    public static bool TryInstant(DateTime local, TimeZoneInfo zone, out DateTimeOffset at)
    {
        local = DateTime.SpecifyKind(local, DateTimeKind.Unspecified);
        at = default;
        if (zone.IsInvalidTime(local))
        {
            return false;
        }

        at = new DateTimeOffset(local, zone.IsAmbiguousTime(local) ? zone.GetAmbiguousTimeOffsets(local).Max() : zone.GetUtcOffset(local));
        return true;
    }

    /// <summary>
    /// The next <paramref name="clock"/> of the zone: today's, unless an event of <paramref name="duration"/> starting
    /// then is already over, else tomorrow's. False when the clocks skip that time on that day.
    /// </summary>
    public static bool TryNext(TimeOnly clock, DateTimeOffset now, TimeSpan duration, TimeZoneInfo zone, out DateTimeOffset at) =>
        TryNext(clock, now, duration, zone, out at, out _);

    /// <inheritdoc cref="TryNext(TimeOnly, DateTimeOffset, TimeSpan, TimeZoneInfo, out DateTimeOffset)"/>
    /// <param name="local">The local time chosen (today's or tomorrow's), so a refusal can name the day the clocks skip it.</param>
    public static bool TryNext(TimeOnly clock, DateTimeOffset now, TimeSpan duration, TimeZoneInfo zone, out DateTimeOffset at, out DateTime local)
    {
        local = TimeZoneInfo.ConvertTime(now, zone).Date + clock.ToTimeSpan();
        if (!TryInstant(local, zone, out at))
        {
            return false;
        }

        if (at + duration > now)
        {
            return true;
        }

        local = local.AddDays(1);
        return TryInstant(local, zone, out at);
    }
}
