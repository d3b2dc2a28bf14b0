using ScaleControl.Times;
using ScaleControl.Cli.Formatting;

namespace ScaleControl.Cli.Tests.Unit;

public class DurationsTests
{
    [Theory]
    [InlineData("30m", 1800)]
    [InlineData("2h", 7200)]
    [InlineData("1h30m", 5400)]
    [InlineData("1d2h", 93600)]
    [InlineData("45s", 45)]
    [InlineData("90", 90)]
    [InlineData("2H", 7200)]
    public void TryParse_KubectlStyleDuration_ReturnsSeconds(string text, int seconds)
    {
        Assert.True(Durations.TryParse(text, out var duration));
        Assert.Equal(TimeSpan.FromSeconds(seconds), duration);
    }

    [Theory]
    [InlineData("")]
    [InlineData("h")]
    [InlineData("2x")]
    [InlineData("30m2h")]
    [InlineData("-5m")]
    [InlineData("1.5h")]
    [InlineData("99999999999d")]
    [InlineData("99999999999999999999m")]
    [InlineData("99999999999999999999")]
    [InlineData("24856d")]
    [InlineData("１h")] // full-width, as Chinese input mode types it
    [InlineData("٣m")]
    [InlineData("１２")]
    public void TryParse_Malformed_ReturnsFalse(string text) => Assert.False(Durations.TryParse(text, out _));

    [Theory]
    [InlineData("-1h", 3600)]
    [InlineData("1h", 3600)]
    [InlineData("-90m", 5400)]
    public void TryParseLookBack_SignedOrNot_MeansThatLongAgo(string text, int seconds)
    {
        Assert.True(Durations.TryParseLookBack(text, out var lookBack));
        Assert.Equal(TimeSpan.FromSeconds(seconds), lookBack);
    }

    [Theory]
    [InlineData(45, "45s")]
    [InlineData(119, "119s")]
    [InlineData(250, "4m10s")]
    [InlineData(1500, "25m")]
    [InlineData(18180, "5h3m")]
    [InlineData(129600, "36h")]
    [InlineData(273600, "3d4h")]
    [InlineData(1036800, "12d")]
    public void Human_Span_PrintsLikeKubectl(int seconds, string expected) =>
        Assert.Equal(expected, Durations.Human(TimeSpan.FromSeconds(seconds)));

    [Theory]
    [InlineData(5400, "1h30m")]
    [InlineData(7200, "2h")]
    [InlineData(0, "0s")]
    public void Compact_Span_PrintsAsTyped(int seconds, string expected) =>
        Assert.Equal(expected, CompactDuration.Of(TimeSpan.FromSeconds(seconds)));
}
