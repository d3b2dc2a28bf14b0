using System.Globalization;

namespace ScaleControl.Sandbox.Kubernetes.Cluster;

/// <summary>
/// Where a failing container is in the kubelet's back-off at a moment, worked out from when it began (a pure function
/// of the clock, so a sandbox restart picks up where it was). Both back-offs are the kubelet's: 10 s, doubling to 300 s.
/// </summary>
internal static class KubeletBackOff
{
    public static readonly TimeSpan Initial = TimeSpan.FromSeconds(10);
    public static readonly TimeSpan Max = TimeSpan.FromSeconds(300);

    /// <summary>
    /// How long ErrImagePull shows after a failed pull before the next sync says ImagePullBackOff (a sandbox choice: the
    /// kubelet's pod worker retries a failed sync after about 10 s, so the two alternate).
    /// </summary>
    public static readonly TimeSpan PullErrorShown = TimeSpan.FromSeconds(5);

    /// <summary>How long an exited container shows as terminated (STATUS Error) before the kubelet's next sync sees it.</summary>
    public static readonly TimeSpan ExitNoticed = TimeSpan.FromSeconds(1);

    /// <summary>The back-off after the <paramref name="n"/>-th failure (0-based): 10 s, 20 s, 40 s … 300 s.</summary>
    public static TimeSpan After(int n) => n >= 5 ? Max : TimeSpan.FromTicks(Math.Min(Max.Ticks, Initial.Ticks << n));

    /// <summary>A duration as Go prints it (<c>10s</c>, <c>1m20s</c>, <c>5m0s</c>), as in the kubelet's messages.</summary>
    public static string GoDuration(TimeSpan d) =>
        d.TotalMinutes >= 1
            ? string.Create(CultureInfo.InvariantCulture, $"{(int)d.TotalMinutes}m{d.Seconds}s")
            : string.Create(CultureInfo.InvariantCulture, $"{d.Seconds}s");

    /// <summary>
    /// An image that cannot be pulled, first tried at <paramref name="firstAttempt"/>: pulls at +0, +10, +30, +70 s …
    /// The attempt under way (0-based) and whether the kubelet is backing off (ImagePullBackOff, else ErrImagePull).
    /// </summary>
    public static (int Attempt, bool BackingOff) Pull(DateTimeOffset firstAttempt, DateTimeOffset now)
    {
        var (attempt, at) = Last(firstAttempt, now, After);
        return (attempt, now - at >= PullErrorShown);
    }

    /// <summary>
    /// A container that exits as it starts, first started at <paramref name="firstStart"/>: the kubelet restarts it at
    /// once after its first exit, then after the back-off since the last exit. The run under way (its number is the
    /// restart count), when it started, and whether the kubelet is backing off (CrashLoopBackOff, else terminated).
    /// </summary>
    public static (int Run, DateTimeOffset StartedAt, bool BackingOff) Crash(DateTimeOffset firstStart, DateTimeOffset now)
    {
        var (run, at) = Last(firstStart, now, CrashGap);
        return (run, at, run > 0 && now - at >= ExitNoticed);
    }

    /// <summary>The back-off message's duration for run <paramref name="run"/>'s exit.</summary>
    public static TimeSpan CrashBackOff(int run) => After(run - 1);

    /// <summary>When run <paramref name="run"/> (≥ 1), started at <paramref name="startedAt"/>, was preceded by the run before it.</summary>
    public static DateTimeOffset PreviousCrashStart(DateTimeOffset startedAt, int run) => startedAt - CrashGap(run - 1);

    // Run k+1 starts this long after run k (which exits as it starts): at once after the first exit, then the back-off.
    private static TimeSpan CrashGap(int k) => k == 0 ? ExitNoticed : After(k - 1);

    // The last event of a sequence starting at first, the k-th gap being gap(k), at or before now. Once the gaps stop
    // growing (300 s), the rest is one division, so a pod failing for weeks costs no more than one failing for minutes.
    private static (int Index, DateTimeOffset At) Last(DateTimeOffset first, DateTimeOffset now, Func<int, TimeSpan> gap)
    {
        var index = 0;
        var at = first;
        while (index < 8 && at + gap(index) <= now)
        {
            at += gap(index);
            index++;
        }

        if (index == 8 && now > at)
        {
            var steps = (now - at).Ticks / Max.Ticks;
            index += (int)Math.Min(steps, int.MaxValue - index);
            at += TimeSpan.FromTicks(Max.Ticks * steps);
        }

        return (index, at);
    }
}
