using ScaleControl.Core.Policies;

namespace ScaleControl.Core.Tests.Policies;

public class ScheduleCalendarTests
{
    private static readonly DateTimeOffset Now = new(2026, 12, 5, 20, 30, 0, TimeSpan.Zero);

    [Theory]
    [InlineData("0 20 * * *", 3600, true, "2026-12-05T21:00:00Z")] // opened today at 20:00
    [InlineData("0 20 * * *", 1200, false, null)] // closed at 20:20
    [InlineData("0 20 * * *", 2 * 86400, true, "2026-12-07T20:00:00Z")] // today's opening is the latest, not yesterday's
    [InlineData("0 3 1 1 *", 400 * 86400, true, "2027-02-05T03:00:00Z")] // once a year, found back across eleven months
    [InlineData("0 21 * * *", 86400, true, "2026-12-05T21:00:00Z")] // opened yesterday at 21:00
    [InlineData("0 21 * * *", 3600, false, null)]
    public void IsActive_CronWindows_OpenAtTheLatestOccurrence(string cron, int durationSeconds, bool active, string? closes)
    {
        var schedule = new ScheduleSpec { Name = "s", Cron = cron, DurationSeconds = durationSeconds, MinReplicas = 2 };

        Assert.Equal(active, ScheduleCalendar.IsActive(schedule, Now, out var closesAt));
        Assert.Equal(closes is null ? default : DateTimeOffset.Parse(closes, System.Globalization.CultureInfo.InvariantCulture), closesAt);
    }

    [Theory]
    [InlineData("2026-12-05", "0 20 * * *", 3600, false)] // today's opening is on an excluded day
    [InlineData("2026-12-04", "0 20 * * *", 3600, true)] // yesterday excluded, today not
    [InlineData("2026-12-05", "0 21 * * *", 86400, true)] // opened yesterday at 21:00, runs into the excluded day
    [InlineData("2026-12-04", "0 21 * * *", 86400, false)] // yesterday's opening excluded
    public void IsActive_ExcludedDay_DoesNotOpen(string excluded, string cron, int durationSeconds, bool active)
    {
        var schedule = new ScheduleSpec { Name = "s", Cron = cron, DurationSeconds = durationSeconds, MinReplicas = 2, ExcludeDates = ["2026-01-01", excluded] };

        Assert.Equal(active, ScheduleCalendar.IsActive(schedule, Now, out _));
    }

    [Fact]
    public void IsActive_ExcludedDay_IsTheDayInTheSchedulesZone()
    {
        // 20:30 UTC on 5 December is 04:30 on 6 December in Shanghai: the 04:00 opening there is on the 6th.
        var schedule = new ScheduleSpec { Name = "s", Cron = "0 4 * * *", TimeZone = "Asia/Shanghai", DurationSeconds = 3600, MinReplicas = 2 };

        Assert.True(ScheduleCalendar.IsActive(schedule with { ExcludeDates = ["2026-12-05"] }, Now, out _));
        Assert.False(ScheduleCalendar.IsActive(schedule with { ExcludeDates = ["2026-12-06"] }, Now, out _));
    }

    [Fact]
    public void IsActive_LatestOpeningExcluded_AnEarlierOneStillOpenCounts()
    {
        // Every day at 08:00 for two days: today's opening is excluded, yesterday's runs until tomorrow 08:00.
        var schedule = new ScheduleSpec { Name = "s", Cron = "0 8 * * *", DurationSeconds = 2 * 86400, MinReplicas = 2, ExcludeDates = ["2026-12-05"] };

        Assert.True(ScheduleCalendar.IsActive(schedule, Now, out var closes));
        Assert.Equal(new DateTimeOffset(2026, 12, 6, 8, 0, 0, TimeSpan.Zero), closes);
        Assert.False(ScheduleCalendar.IsActive(schedule with { ExcludeDates = ["2026-12-04", "2026-12-05"] }, Now, out _));
    }

    [Fact(Timeout = 60_000)]
    public async Task IsActive_EverySecondForSixtyEightYears_AnswersWithoutEnumeratingTheWindow()
    {
        // Written with kubectl (the CRD bounds durationSeconds only below): every second, for int.MaxValue seconds.
        // Enumerating the window was ~2 billion occurrences per evaluation and held the leader's loop for minutes;
        // the bound is a guard with room for a starved CI machine (the answer takes microseconds; the old scan ~2 minutes).
        var schedule = new ScheduleSpec { Name = "s", Cron = "* * * * * *", DurationSeconds = int.MaxValue, MinReplicas = 2 };

        var (active, closesAt) = await Task.Run(() => (ScheduleCalendar.IsActive(schedule, Now, out var closes), closes));

        Assert.True(active);
        Assert.Equal(Now + TimeSpan.FromSeconds(int.MaxValue), closesAt);
    }
}
