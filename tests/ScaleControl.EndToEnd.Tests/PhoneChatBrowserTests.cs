using Microsoft.Playwright;

namespace ScaleControl.EndToEnd.Tests;

/// <summary>
/// The emulated phone in Debian's Chromium: a person types to the robot (in the group with an @-mention, and in a
/// one-to-one chat) and the real server's answer appears on the phone. It shares the dashboard's all-in-one sandbox
/// (the phone page is the sandbox's); chat commands in cluster mode under the chart's RBAC are ChatCommandTests'.
/// </summary>
public sealed class PhoneChatBrowserTests(DashboardBrowserTests.SandboxInChromium sandbox) : IClassFixture<DashboardBrowserTests.SandboxInChromium>
{
    [Fact]
    public async Task Phone_TypeToRobotInGroupAndOneToOne_RepliesAppear()
    {
        var page = await sandbox.NewPageAsync();
        await page.GotoAsync($"{sandbox.Url.TrimEnd('/')}/sandbox/dingtalk/phone?user=zhangsan");
        await Assertions.Expect(page.Locator("#live")).ToHaveClassAsync(new System.Text.RegularExpressions.Regex("on"));

        await page.Locator("#composer-input").FillAsync("@ScaleControl status shop/checkout-api");
        await page.ClickAsync("#composer-send");
        await Assertions.Expect(page.Locator(".msg.mine .bubble").Last).ToContainTextAsync("@ScaleControl status shop/checkout-api");
        await Assertions.Expect(page.Locator(".msg:not(.mine) .bubble").Filter(new() { HasText = "shop/checkout-api" }).Last)
            .ToContainTextAsync("replicas", new() { Timeout = DashboardBrowserTests.Patient(5) });

        await page.ClickAsync("#chat-switch");
        await Assertions.Expect(page.Locator("#group-sub")).ToContainTextAsync("one-to-one chat as zhangsan");
        await page.Locator("#composer-input").FillAsync("whoami");
        await page.Locator("#composer-input").PressAsync("Enter");
        await Assertions.Expect(page.Locator(".msg:not(.mine) .bubble").Filter(new() { HasText = "operator in" }))
            .ToBeVisibleAsync(new() { Timeout = DashboardBrowserTests.Patient(5) });
        await page.ScreenshotAsync(new() { Path = Path.Combine(Path.GetTempPath(), "scalecontrol-phone-chat.png"), FullPage = true });
    }

    [Fact]
    public async Task Phone_TypedMarkdownLink_ComesBackAsText_NotALink()
    {
        // lisi announces traffic far ahead (nothing changes during the test) with a link in the reason, typed as a Chinese
        // input mode does (full-width letters and space): the answer shows the characters as typed and links nowhere.
        var page = await sandbox.NewPageAsync();
        await page.GotoAsync($"{sandbox.Url.TrimEnd('/')}/sandbox/dingtalk/phone?user=lisi");
        await Assertions.Expect(page.Locator("#live")).ToHaveClassAsync(new System.Text.RegularExpressions.Regex("on"));
        await page.ClickAsync("#chat-switch");
        await Assertions.Expect(page.Locator("#group-sub")).ToContainTextAsync("one-to-one chat as lisi");

        await page.Locator("#composer-input").FillAsync("ｐｒｅｐａｒｅ　shop/checkout-api at +6h expect 2x for 10m reason see [runbook](http://evil.example)");
        await page.ClickAsync("#composer-send");

        var answer = page.Locator(".msg:not(.mine) .bubble").Filter(new() { HasText = "expects traffic" }).Last;
        // The answer waits for the baseline's Prometheus read (up to 3 s) besides the Stream hops: as long as the other
        // chat answers get (one CI run, every project at once on 2 cores, had none within 15 s; alone it takes ~2 s).
        await Assertions.Expect(answer).ToContainTextAsync("see [runbook](http://evil.example)", new() { Timeout = DashboardBrowserTests.Patient(10) });
        Assert.Equal(0, await page.Locator("a[href*='evil.example']").CountAsync());
    }
}
