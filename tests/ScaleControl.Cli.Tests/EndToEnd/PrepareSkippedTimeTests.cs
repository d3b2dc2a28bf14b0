namespace ScaleControl.Cli.Tests.EndToEnd;

/// <summary>
/// <c>scalectl prepare --at</c> a local time the clocks skip (New York, 2027-03-14, 02:00 → 03:00): refused before any
/// request, naming the day the user asked for. It used to show a fixed example date (2026-03-08) whatever was asked.
/// </summary>
public sealed class PrepareSkippedTimeTests
{
    [Fact]
    public async Task Prepare_AtATimeTheClocksSkip_TheErrorNamesTheDayAsked()
    {
        // No server answers on port 9: the refusal must come before any request.
        var cli = new Scalectl("http://127.0.0.1:9", "token", new Dictionary<string, string> { ["TZ"] = "America/New_York" });

        var result = await cli.RunAsync("prepare", "shop/checkout-api", "--at", "2027-03-14 02:30", "--expect", "3x", "--for", "20m", "--reason", "launch");

        Assert.True(result.ExitCode == 1, result.ToString());
        Assert.Equal("error: --at '2027-03-14 02:30' does not exist in America/New_York on 2027-03-14: the clocks skip 02:30 that day; "
            + "give another time or an offset (2027-03-14T02:30-05:00)", result.Error.Trim());
    }
}
