using ScaleControl.Core.Commands;

namespace ScaleControl.Core.Tests.Commands;

/// <summary>Chat's event times in the chat's time zone, by the same wall-clock rule as <c>scalectl prepare</c>.</summary>
public sealed class EventTimeTests
{
    private static readonly TimeZoneInfo s_shanghai = TimeZoneInfo.FindSystemTimeZoneById("Asia/Shanghai");
    private static readonly TimeZoneInfo s_newYork = TimeZoneInfo.FindSystemTimeZoneById("America/New_York");
    private static readonly TimeSpan s_twentyMinutes = TimeSpan.FromMinutes(20);

    // 18:30 in Shanghai.
    private static readonly DateTimeOffset s_now = new(2026, 12, 4, 10, 30, 0, TimeSpan.Zero);

    public static TheoryData<EventTime, DateTimeOffset> InShanghai() => new()
    {
        { new EventTime { Clock = new TimeOnly(20, 0) }, new(2026, 12, 4, 12, 0, 0, TimeSpan.Zero) }, // later today there
        { new EventTime { Clock = new TimeOnly(8, 0) }, new(2026, 12, 5, 0, 0, 0, TimeSpan.Zero) }, // over today there: tomorrow
        { new EventTime { Clock = new TimeOnly(18, 20) }, new(2026, 12, 4, 10, 20, 0, TimeSpan.Zero) }, // still going on
        { new EventTime { Local = new DateTime(2026, 12, 24, 20, 0, 0) }, new(2026, 12, 24, 12, 0, 0, TimeSpan.Zero) },
        { new EventTime { Absolute = new DateTimeOffset(2026, 12, 24, 20, 0, 0, TimeSpan.FromHours(-5)) }, new(2026, 12, 25, 1, 0, 0, TimeSpan.Zero) }, // its offset wins
        { new EventTime { After = TimeSpan.FromMinutes(30) }, new(2026, 12, 4, 11, 0, 0, TimeSpan.Zero) },
    };

    [Theory]
    [MemberData(nameof(InShanghai))]
    public void TryResolve_InTheChatsZone_GivesTheInstant(EventTime time, DateTimeOffset expected)
    {
        Assert.True(time.TryResolve(s_now, s_twentyMinutes, s_shanghai, out var at));

        Assert.Equal(expected, at);
    }

    [Fact]
    public void TryResolve_TimeTheClocksPassTwice_IsTheFirst()
    {
        // New York, midnight EDT on the night the clocks go back at 02:00 EDT: 01:30 comes at 05:30Z and at 06:30Z.
        var midnight = new DateTimeOffset(2026, 11, 1, 4, 0, 0, TimeSpan.Zero);

        Assert.True(new EventTime { Clock = new TimeOnly(1, 30) }.TryResolve(midnight, s_twentyMinutes, s_newYork, out var at));

        Assert.Equal(new DateTimeOffset(2026, 11, 1, 5, 30, 0, TimeSpan.Zero), at);
    }

    [Fact]
    public void TryResolve_TimeTheClocksSkip_IsRefused()
    {
        // New York, the night the clocks go forward from 02:00 to 03:00: 02:30 does not happen.
        var evening = new DateTimeOffset(2027, 3, 14, 4, 0, 0, TimeSpan.Zero); // 23:00 EST the day before

        Assert.False(new EventTime { Clock = new TimeOnly(2, 30) }.TryResolve(evening, s_twentyMinutes, s_newYork, out _));
        Assert.False(new EventTime { Local = new DateTime(2027, 3, 14, 2, 30, 0) }.TryResolve(evening, s_twentyMinutes, s_newYork, out _));
    }
}
