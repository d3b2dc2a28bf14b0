using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using ScaleControl.Core.Ports;
using ScaleControl.DingTalk.Callbacks;
using ScaleControl.DingTalk.Cards;
using ScaleControl.DingTalk.Notices;
using ScaleControl.DingTalk.Stream;
using ScaleControl.DingTalk.Tests.Support;

namespace ScaleControl.DingTalk.Tests.Unit;

public class CompositionTests
{
    [Fact]
    public void AddScaleControlDingTalk_RegistersPortsAndBothCallbackReceivers()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["ScaleControl:DingTalk:AppKey"] = "k",
            ["ScaleControl:DingTalk:AppSecret"] = "s",
            ["ScaleControl:DingTalk:CardTemplateId"] = "t.schema",
        }).Build();
        using var provider = new ServiceCollection().AddLogging()
            .AddSingleton<IApprovalInbox>(new FakeApprovalInbox(TimeProvider.System))
            .AddSingleton<IUndoInbox>(new FakeApprovalInbox(TimeProvider.System))
            .AddScaleControlDingTalk(configuration).BuildServiceProvider(validateScopes: true);

        Assert.IsType<DingTalkCardNotifier>(provider.GetRequiredService<IApprovalNotifier>());
        Assert.IsType<DingTalkNoticePublisher>(provider.GetRequiredService<INoticePublisher>());
        var hosted = provider.GetServices<IHostedService>().Select(h => h.GetType()).ToList();
        Assert.Contains(typeof(DingTalkStreamClient), hosted);
        Assert.Contains(typeof(CardCallbackRouteRegistrar), hosted);
        Assert.NotNull(provider.GetRequiredService<CardCallbackHandler>());
    }
}
