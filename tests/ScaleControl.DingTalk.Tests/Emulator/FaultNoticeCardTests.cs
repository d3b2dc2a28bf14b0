using ScaleControl.Core.Faults;
using ScaleControl.Core.Ports;
using ScaleControl.DingTalk.Tests.Support;
using ScaleControl.Sandbox.DingTalk.Robots;

namespace ScaleControl.DingTalk.Tests.Emulator;

/// <summary>A dependency fault is one card in the notice group: created and DINGed once, updated in place, resolved.</summary>
public sealed class FaultNoticeCardTests
{
    private static readonly DateTimeOffset s_since = new(2026, 12, 4, 10, 0, 0, TimeSpan.Zero);

    private static readonly Dictionary<string, string?> s_settings = new()
    {
        ["ScaleControl:DingTalk:NoticeConversationId"] = DingTalkWorld.Group,
        ["ScaleControl:DingTalk:FaultReceivers:0"] = "zhangsan",
        ["ScaleControl:DingTalk:FaultDingType"] = "Call",
    };

    [Fact]
    public async Task OpenUpdateResolve_OneCardInTheGroup_DingedOnce_EndsResolvedWithItsDuration()
    {
        await using var world = await DingTalkWorld.StartAsync(clientSettings: s_settings);
        var notifier = world.ClientService<IFaultNotifier>();

        Assert.True(await notifier.ShowAsync(new FaultNotice("prometheus", "connection refused", s_since, s_since.AddSeconds(30), null), ding: true, default));
        Assert.True(await notifier.ShowAsync(new FaultNotice("prometheus", "HTTP 503", s_since, s_since.AddSeconds(90), null), ding: false, default));
        var ongoing = await world.CardAsync($"fault.prometheus-{s_since.ToUnixTimeSeconds()}");
        Assert.Equal("fault", ongoing.GetProperty("cardData").GetProperty("status").GetString());
        Assert.StartsWith("ongoing for 1m30s (since ", ongoing.GetProperty("cardData").GetProperty("statusText").GetString());
        Assert.Contains("HTTP 503", ongoing.GetProperty("cardData").GetProperty("result").GetString());
        Assert.Empty(ongoing.GetProperty("buttons").EnumerateArray());

        Assert.True(await notifier.ShowAsync(new FaultNotice("prometheus", "HTTP 503", s_since, s_since.AddSeconds(462), s_since.AddSeconds(432)), ding: false, default));

        var card = await world.CardAsync($"fault.prometheus-{s_since.ToUnixTimeSeconds()}");
        Assert.Equal("resolved", card.GetProperty("cardData").GetProperty("status").GetString());
        Assert.Equal("resolved after 7m12s", card.GetProperty("cardData").GetProperty("statusText").GetString());
        Assert.Equal(3, card.GetProperty("version").GetInt32()); // created once, updated twice in place
        var ding = Assert.Single(world.EmulatorService<MessageLog>().All, m => m.Kind == MessageKind.Ding);
        Assert.Equal(3, ding.RemindType);
        Assert.Equal(["zhangsan"], ding.Receivers);
        Assert.Contains("Prometheus failing", ding.Text);
    }

    [Fact]
    public async Task DingTalkDown_NotShown_ThenShownOnceItAnswers()
    {
        await using var world = await DingTalkWorld.StartAsync(clientSettings: s_settings);
        var notifier = world.ClientService<IFaultNotifier>();
        await world.ArmFaultAsync(new { api = "/v1.0/card/instances/createAndDeliver", kind = "SystemBusy", times = 100 });

        Assert.False(await notifier.ShowAsync(new FaultNotice("dingtalk", "card update failed", s_since, s_since.AddSeconds(30), null), ding: true, default));

        await world.Script.DeleteAsync("faults");
        // The opening is still owed (FaultNotices keeps its DING until it is shown), now in the state of this moment.
        Assert.True(await notifier.ShowAsync(new FaultNotice("dingtalk", "card update failed", s_since, s_since.AddSeconds(300), s_since.AddSeconds(280)), ding: true, default));
        var card = await world.CardAsync($"fault.dingtalk-{s_since.ToUnixTimeSeconds()}");
        Assert.Equal("resolved after 4m40s", card.GetProperty("cardData").GetProperty("statusText").GetString());
    }
}
