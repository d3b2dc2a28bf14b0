namespace ScaleControl.Core.Decisions;

/// <summary>
/// A series that swings within a band is held near the top of its swing instead of chased through every trough. The
/// engine learns it from its own regret: a scale-down it had to undo (a down, then an up, within
/// <see cref="RegretWindow"/>) while the needs measured over the last <see cref="HoldWindow"/> stay within
/// <see cref="MaxBand"/> of each other. While that is so:
/// <list type="bullet">
/// <item>a scale-down to a count inside the range measured over <see cref="HoldWindow"/> (a trough like the ones
/// already seen) waits until that window's highest measured need has aged out, instead of the policy's window or
/// the decline window;</item>
/// <item>a scale-up waits for a shortage beyond the policy's down tolerance as well (the symmetric band the HPA
/// uses), not the narrower up tolerance: a rise back into the swing is not worth a change per few percent.</item>
/// </list>
/// A fall below the range measured (an event ending) releases as before. One spike (up, then down) is no regret; a
/// ramp (up, up, up) never swings; an event that multiplies the level leaves the band.
/// </summary>
internal static class SwingHold
{
    /// <summary>How long the swing's top is held: the stabilization window for a trough inside the measured range.</summary>
    public const int HoldWindowSeconds = 600;

    public static readonly TimeSpan HoldWindow = TimeSpan.FromSeconds(HoldWindowSeconds);

    /// <summary>How far back a scale-down undone by a scale-up counts as regret (the history keeps changes this long).</summary>
    public static readonly TimeSpan RegretWindow = TimeSpan.FromMinutes(20);

    /// <summary>A swing stays within this ratio of highest to lowest measured need over <see cref="HoldWindow"/>; a wider range is an event.</summary>
    public const double MaxBand = 2;

    /// <summary>The scale-down window for <paramref name="wanted"/>: <see cref="HoldWindowSeconds"/> for a trough of a swing, else <paramref name="downWindow"/>.</summary>
    public static int DownWindow(PolicyHistory history, DateTimeOffset now, int wanted, int downWindow)
    {
        if (downWindow >= HoldWindowSeconds || !Regretted(history, now))
        {
            return downWindow;
        }

        var (lowest, highest) = history.MeasuredRangeSince(now - HoldWindow);
        return wanted >= lowest && highest <= lowest * MaxBand ? HoldWindowSeconds : downWindow;
    }

    /// <summary>The up tolerance: the wider of both directions' while the series swings within the band, else <paramref name="up"/>.</summary>
    public static double UpTolerance(PolicyHistory history, DateTimeOffset now, double up, double down)
    {
        if (down <= up || !Regretted(history, now))
        {
            return up;
        }

        var (lowest, highest) = history.MeasuredRangeSince(now - HoldWindow);
        return highest > 0 && highest <= lowest * MaxBand ? down : up;
    }

    /// <summary>A scale-down after <paramref name="now"/> − <see cref="RegretWindow"/> was followed by a scale-up.</summary>
    public static bool Regretted(PolicyHistory history, DateTimeOffset now)
    {
        var from = now - RegretWindow;
        var changes = history.Changes;
        var upSeen = false;
        for (var i = changes.Count - 1; i >= 0 && changes[i].Time > from; i--)
        {
            if (changes[i].To > changes[i].From)
            {
                upSeen = true;
            }
            else if (upSeen)
            {
                return true;
            }
        }

        return false;
    }
}
