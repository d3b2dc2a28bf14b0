using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using ScaleControl.Core.Ports;
using ScaleControl.DingTalk.Api;
using ScaleControl.DingTalk.Tests.Support;
using ScaleControl.Testing.Logging;

namespace ScaleControl.DingTalk.Tests.Emulator;

/// <summary>
/// DingTalk throttling or failing is told once per call, by the product (a line naming DingTalk's code and message,
/// and the fault notice): Polly's own events (each attempt at Warning, the last at Error, with the response or the
/// exception) were hundreds of lines a minute in the DingTalk-degraded storm walkthrough.
/// </summary>
public sealed class RetryLogTests
{
    [Fact]
    public async Task CardsThrottledAndUpdatesFailing_RetriesLogNoStackTraces_OneLinePerFailedCall()
    {
        var log = new CapturedLog();
        await using var world = await DingTalkWorld.StartAsync(clientServices: services => services.AddSingleton<ILoggerProvider>(log));
        var notifier = world.ClientService<IApprovalNotifier>();
        var proposal = SampleProposals.Pending();
        await notifier.SendProposalAsync(proposal, SampleProposals.Policy(DingTalkWorld.Group), CancellationToken.None);
        await world.ArmFaultAsync(new { api = "/v1.0/card/instances/createAndDeliver", kind = "QpsLimit", times = -1 });
        await world.ArmFaultAsync(new { api = "/v1.0/card/instances", kind = "SystemBusy", times = -1 });

        var throttled = await notifier.SendProposalAsync(SampleProposals.Pending(name: "checkout-api-9c2b"), SampleProposals.Policy(DingTalkWorld.Group), CancellationToken.None);
        var failed = await Assert.ThrowsAsync<DingTalkApiException>(() => notifier.UpdateProposalAsync(proposal, CancellationToken.None));

        Assert.Equal(1 + 4, world.Requests.Count("/createAndDeliver")); // the retries did happen: 3 after the first attempt
        Assert.DoesNotContain(log.Lines, l => l.Category.StartsWith("Polly", StringComparison.Ordinal));
        Assert.DoesNotContain(log.Lines, l => l.HasException);
        var warning = Assert.Single(log.Lines, l => l.Level >= LogLevel.Warning);
        Assert.Contains("403 Forbidden.AccessDenied.QpsLimitForAppkeyAndApi", warning.Message);
        Assert.EndsWith("not delivered: " + throttled.Error, warning.Message, StringComparison.Ordinal);
        Assert.StartsWith("DingTalk API error 500 system.busy", failed.Message); // what the caller's one line says
    }
}
