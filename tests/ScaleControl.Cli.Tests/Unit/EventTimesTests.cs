using ScaleControl.Cli.Formatting;

namespace ScaleControl.Cli.Tests.Unit;

public class EventTimesTests
{
    private static readonly TimeZoneInfo s_shanghai = TimeZoneInfo.FindSystemTimeZoneById("Asia/Shanghai");

    // 18:30 in Shanghai.
    private static readonly DateTimeOffset s_now = new(2026, 12, 4, 10, 30, 0, TimeSpan.Zero);

    [Theory]
    [InlineData("20:00", "2026-12-04T12:00:00Z")] // later today, local time
    [InlineData("18:20", "2026-12-04T10:20:00Z")] // started 10 minutes ago, still going on for 20m
    [InlineData("08:00", "2026-12-05T00:00:00Z")] // over today: tomorrow
    [InlineData("+30m", "2026-12-04T11:00:00Z")]
    [InlineData("2026-12-24 20:00", "2026-12-24T12:00:00Z")]
    [InlineData("2026-12-24T20:00:00Z", "2026-12-24T20:00:00Z")]
    [InlineData("2026-12-24T20:00-05:00", "2026-12-25T01:00:00Z")]
    public void TryResolve_AcceptedShapes_GiveTheInstant(string text, string expected)
    {
        Assert.True(EventTimes.TryResolve(text, s_now, TimeSpan.FromMinutes(20), s_shanghai, out var at));

        Assert.Equal(DateTimeOffset.Parse(expected, System.Globalization.CultureInfo.InvariantCulture), at);
    }

    [Theory]
    [InlineData("01:30")]
    [InlineData("2026-11-01 01:30")]
    public void TryResolve_TimeTheClocksGoBackOver_TheFirstOfTheTwo(string text)
    {
        // New York, 00:00 EDT on the night the clocks go back at 02:00 EDT: 01:30 comes at 05:30Z (EDT) and again at
        // 06:30Z (EST). The floor must be in place for the first.
        var newYork = TimeZoneInfo.FindSystemTimeZoneById("America/New_York");
        var midnight = new DateTimeOffset(2026, 11, 1, 4, 0, 0, TimeSpan.Zero);

        Assert.True(EventTimes.TryResolve(text, midnight, TimeSpan.FromMinutes(20), newYork, out var at));

        Assert.Equal(new DateTimeOffset(2026, 11, 1, 5, 30, 0, TimeSpan.Zero), at);
    }

    [Theory]
    [InlineData("02:30")]
    [InlineData("2027-03-14 02:30")]
    public void TryResolve_TimeTheClocksSkip_Refused(string text)
    {
        // New York, 23:00 EST the evening before the clocks go forward from 02:00 to 03:00: 02:30 does not happen.
        var newYork = TimeZoneInfo.FindSystemTimeZoneById("America/New_York");
        var evening = new DateTimeOffset(2027, 3, 14, 4, 0, 0, TimeSpan.Zero);

        Assert.False(EventTimes.TryResolve(text, evening, TimeSpan.FromMinutes(20), newYork, out _));
    }

    [Theory]
    [InlineData("02:30")]
    [InlineData("2027-03-14 02:30")]
    public void TryResolve_TimeTheClocksSkip_TheRefusalNamesTheDayAsked_NotAFixedExample(string text)
    {
        // The message showed 2026-03-08 whatever day was asked; "02:30" the evening before means the next morning's.
        var newYork = TimeZoneInfo.FindSystemTimeZoneById("America/New_York");
        var evening = new DateTimeOffset(2027, 3, 14, 4, 0, 0, TimeSpan.Zero);

        Assert.False(EventTimes.TryResolve(text, evening, TimeSpan.FromMinutes(20), newYork, out _, out var skipped));

        Assert.Equal(new DateTime(2027, 3, 14, 2, 30, 0), skipped);
        Assert.Equal($"--at '{text}' does not exist in America/New_York on 2027-03-14: the clocks skip 02:30 that day; give another time or an offset (2027-03-14T02:30-05:00)",
            EventTimes.SkippedMessage(text, skipped!.Value, newYork));
    }

    [Theory]
    [InlineData("")]
    [InlineData("25:00")]
    [InlineData("tomorrow")]
    [InlineData("+soon")]
    [InlineData("2026-13-01 20:00")]
    [InlineData("0001-01-01 00:00")] // no instant: before the calendar's start once Shanghai's +08:00 is taken off (threw)
    [InlineData("9999-12-31 23:00")]
    [InlineData("２０:００")] // full-width digits matched \d, then int.Parse threw
    [InlineData("+٣m")]
    public void TryResolve_Nonsense_Refused(string text) =>
        Assert.False(EventTimes.TryResolve(text, s_now, TimeSpan.FromMinutes(20), s_shanghai, out _));
}
