using System.Net;
using Microsoft.Extensions.Logging;
using ScaleControl.Core.Ports;
using ScaleControl.DingTalk.Api;
using ScaleControl.Server.Telemetry;
using ScaleControl.Testing.Logging;

namespace ScaleControl.Server.Tests.Telemetry;

/// <summary>
/// A failed DingTalk call is one readable line with DingTalk's answer: in a storm with DingTalk throttling, a stack
/// trace per card says nothing more and buries the rest. What nobody expected keeps its stack.
/// </summary>
public sealed class NotifyFailedLogTests
{
    [Fact]
    public void DingTalkAnswered_OneLineWithItsCodeAndMessage_NoStackTrace()
    {
        var log = new CapturedLog();

        log.CreateLogger("Announcer").NotifyFailed(
            new DingTalkApiException(HttpStatusCode.InternalServerError, "system.busy", "系统繁忙", null), "card update", "shop", "checkout-api-7f3a");

        var line = Assert.Single(log.Lines);
        Assert.Equal(LogLevel.Warning, line.Level);
        Assert.Equal("DingTalk card update for shop/checkout-api-7f3a failed: DingTalk API error 500 system.busy: 系统繁忙", line.Message);
        Assert.False(line.HasException);
    }

    [Fact]
    public void DingTalkUnreachableOrBusy_OneLineNoStackTrace()
    {
        var log = new CapturedLog();
        var logger = log.CreateLogger("Announcer");

        logger.NotifyFailed(new HttpRequestException("Connection refused (127.0.0.1:9)"), "card send", "shop", "a");
        logger.NotifyFailed(new NotifierBusyException("DingTalk throttled or busy for the DING (Forbidden.AccessDenied.QpsLimitForAppkeyAndApi: qps)"), "escalation (tried again next tick)", "shop", "a");

        Assert.All(log.Lines, l => Assert.False(l.HasException));
        Assert.Equal(
            ["DingTalk card send for shop/a failed: Connection refused (127.0.0.1:9)",
             "DingTalk escalation (tried again next tick) for shop/a failed: DingTalk throttled or busy for the DING (Forbidden.AccessDenied.QpsLimitForAppkeyAndApi: qps)"],
            log.Lines.Select(l => l.Message));
    }

    [Fact]
    public void SomethingUnexpected_KeepsItsStackTrace()
    {
        var log = new CapturedLog();

        log.CreateLogger("Announcer").NotifyFailed(new InvalidOperationException("bug"), "card update", "shop", "a");

        var line = Assert.Single(log.Lines);
        Assert.Equal("DingTalk card update for shop/a failed", line.Message);
        Assert.True(line.HasException);
    }
}
