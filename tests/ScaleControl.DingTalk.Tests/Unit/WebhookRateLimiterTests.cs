using Microsoft.Extensions.Time.Testing;
using ScaleControl.DingTalk.Notices;

namespace ScaleControl.DingTalk.Tests.Unit;

public class WebhookRateLimiterTests
{
    [Fact]
    public void TryAcquire_TwentyFirstInAMinute_Refused_UntilTheWindowSlides()
    {
        var time = new FakeTimeProvider();
        var limiter = new WebhookRateLimiter(time);
        for (var i = 0; i < 20; i++)
        {
            Assert.True(limiter.TryAcquire("ops", 20));
            time.Advance(TimeSpan.FromSeconds(1));
        }

        Assert.False(limiter.TryAcquire("ops", 20));
        Assert.True(limiter.TryAcquire("other", 20));

        time.Advance(TimeSpan.FromSeconds(40.5)); // only the first send (t = 0) has left the window
        Assert.True(limiter.TryAcquire("ops", 20));
        Assert.False(limiter.TryAcquire("ops", 20));
    }
}
