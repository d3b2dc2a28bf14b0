using Microsoft.Extensions.Time.Testing;
using ScaleControl.DingTalk.Cards;

namespace ScaleControl.DingTalk.Tests.Unit;

/// <summary>The rules write times in UTC; what reaches the on-call group shows them in its zone, the offset written out.</summary>
public sealed class GroupTimesTests
{
    private static readonly TimeZoneInfo s_shanghai = TimeZoneInfo.FindSystemTimeZoneById("Asia/Shanghai");

    private static GroupTimes At(string nowUtc, TimeZoneInfo? zone = null) =>
        new(zone ?? s_shanghai, new FakeTimeProvider(DateTimeOffset.Parse(nowUtc, System.Globalization.CultureInfo.InvariantCulture)));

    [Theory]
    // The "u" form of the services (freeze, pin, prepare, undo): today there, to the second.
    [InlineData("2026-12-06T10:00:00Z", "frozen until 2026-12-06 12:18:54Z by zhangsan", "frozen until 20:18:54 UTC+08:00 by zhangsan")]
    // Tomorrow there: the date comes with it.
    [InlineData("2026-12-06T10:00:00Z", "floor from 2026-12-06 17:00:00Z until 2026-12-06 17:20:00Z", "floor from 2026-12-07 01:00:00 UTC+08:00 until 2026-12-07 01:20:00 UTC+08:00")]
    // A clock time of the rules (a hold, an evaluation) is the one nearest to now: 00:10 UTC just after midnight.
    [InlineData("2026-12-06T23:50:00Z", "no new proposal until 00:10 UTC unless more", "no new proposal until 08:10 UTC+08:00 unless more")]
    [InlineData("2026-12-06T10:00:00Z", "(evaluated 09:59:55 UTC); not applied", "(evaluated 17:59:55 UTC+08:00); not applied")]
    [InlineData("2026-12-06T10:00:00Z", "latest decision is dated 2026-12-06 10:05:00 UTC, 300 s ahead", "latest decision is dated 18:05:00 UTC+08:00, 300 s ahead")]
    [InlineData("2026-12-06T10:00:00Z", "event at 11:00Z", "event at 19:00 UTC+08:00")]
    // Already in the zone, or no time at all: as written.
    [InlineData("2026-12-06T10:00:00Z", "until 20:18 UTC+08:00 · 2026-12-07 08:00 UTC+08:00", "until 20:18 UTC+08:00 · 2026-12-07 08:00 UTC+08:00")]
    [InlineData("2026-12-06T10:00:00Z", "**shop/checkout-api** 4 → 7 at 12:00 ready", "**shop/checkout-api** 4 → 7 at 12:00 ready")]
    public void Localize_UtcTimesOfTheRules_ShownInTheZone(string now, string text, string expected) =>
        Assert.Equal(expected, At(now).Localize(text));

    [Fact]
    public void Localize_ZoneIsUtc_LeavesTheTextAsWritten()
    {
        const string Text = "frozen until 2026-12-07 12:18:54Z; held until 00:10 UTC";

        Assert.Equal(Text, At("2026-12-06T23:50:00Z", TimeZoneInfo.Utc).Localize(Text));
    }

    [Fact]
    public void Span_TwoMomentsOfABurst_NamesTheZoneOnce()
    {
        var times = At("2026-12-06T12:00:00Z");

        Assert.Equal("20:02:05–20:03:10 UTC+08:00", times.Span(new DateTimeOffset(2026, 12, 6, 12, 2, 5, TimeSpan.Zero), new DateTimeOffset(2026, 12, 6, 12, 3, 10, TimeSpan.Zero)));
    }
}
