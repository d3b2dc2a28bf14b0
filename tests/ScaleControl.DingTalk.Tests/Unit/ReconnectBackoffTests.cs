using ScaleControl.DingTalk.Stream;

namespace ScaleControl.DingTalk.Tests.Unit;

public class ReconnectBackoffTests
{
    [Fact]
    public void NextDelay_DoublesFromOneSecondWithJitter()
    {
        var backoff = new ReconnectBackoff();

        foreach (var nominal in new[] { 1.0, 2, 4, 8, 16, 32 })
        {
            Assert.InRange(backoff.NextDelay().TotalSeconds, nominal * 0.8, nominal * 1.2);
        }
    }

    [Fact]
    public void NextDelay_ManyFailures_CappedAtSixtySeconds()
    {
        var backoff = new ReconnectBackoff();
        for (var i = 0; i < 30; i++)
        {
            backoff.NextDelay();
        }

        Assert.InRange(backoff.NextDelay().TotalSeconds, 48, 60);
    }

    [Fact]
    public void Reset_StartsOverFromTheInitialDelay()
    {
        var backoff = new ReconnectBackoff();
        for (var i = 0; i < 5; i++)
        {
            backoff.NextDelay();
        }

        backoff.Reset();

        Assert.InRange(backoff.NextDelay().TotalSeconds, 0.8, 1.2);
    }
}
