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
