using ScaleControl.Cli.Api;

namespace ScaleControl.Cli.Tests.Unit;

/// <summary>What the CLI reads back is whatever is stored, also what kubectl wrote: a time at the ends of the calendar.</summary>
public class ExpectedEventModelTests
{
    [Theory]
    [InlineData("0001-01-01T00:00:01+00:00")]
    [InlineData("9999-12-31T23:59:59+00:00")]
    public void Floor_AtTheEndsOfTheCalendar_IsHeldThereInsteadOfThrowing(string at)
    {
        var e = new ExpectedEvent("odd", DateTimeOffset.Parse(at, System.Globalization.CultureInfo.InvariantCulture), DurationSeconds: 600, LeadSeconds: 300);

        Assert.True(e.FloorStart <= e.FloorEnd);
        Assert.InRange(e.FloorEnd - e.FloorStart, TimeSpan.Zero, TimeSpan.FromSeconds(900));
    }
}
