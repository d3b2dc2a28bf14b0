using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.Playwright;
using ScaleControl.Testing.Timing;

namespace ScaleControl.Sandbox.Tests.DingTalk;

/// <summary>Debian's Chromium driven by Playwright: the phone page shows cards and taps buttons like a DingTalk member.</summary>
public sealed class PhonePageBrowserTests
{
    // Playwright's expectations wait 5 s by default; Chromium and the emulator on a starved CI runner may need longer.
    static PhonePageBrowserTests() => Assertions.SetDefaultExpectTimeout((float)Patience.Of(5).TotalMilliseconds);

    private static readonly string[] s_chromiumArgs =
    [
        "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync",
    ];

    [Fact]
    public async Task PhonePage_ApproveTappedAsZhangsan_CardChangesToApprovedWithoutButtons()
    {
        // A tiny receiver playing the product: approvers approve, anyone else gets a private message.
        await using var receiver = await CallbackReceiver.StartAsync(received =>
        {
            var userId = JsonDocument.Parse(received.Body).RootElement.GetProperty("userId").GetString();
            object answer = userId is "zhangsan" or "lisi"
                ? new { cardData = new { cardParamMap = new { status = "approved", decidedBy = userId, decidedAt = "10:32:05" } }, cardUpdateOptions = new { updateCardDataByKey = true } }
                : new { userPrivateData = new { cardParamMap = new { privateMessage = "you are not an approver for shop/checkout-api" } } };
            return Task.FromResult(Results.Json(answer));
        });
        await using var host = await EmulatorHost.StartAsync();
        await host.RegisterRouteAsync("phone", receiver.Url, "phone-secret");
        await host.CreateCardAsync("phone-card", "HTTP", "phone");
        using var playwright = await Playwright.CreateAsync();
        await using var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = "/usr/bin/chromium", Headless = true, Args = s_chromiumArgs,
        });
        var page = await browser.NewPageAsync(new BrowserNewPageOptions { ViewportSize = new ViewportSize { Width = 390, Height = 800 } });
        await page.GotoAsync($"{host.BaseUrl}/phone?user=wangwu");
        var card = page.Locator("[data-out-track-id='phone-card']");

        await card.Locator("button[data-action-id='approve']").ClickAsync();
        await Assertions.Expect(card.Locator(".private-note")).ToContainTextAsync("you are not an approver");
        await Assertions.Expect(card.Locator(".card-status")).ToHaveTextAsync("pending");

        await page.Locator(".user-chip[data-user='zhangsan']").ClickAsync();
        await Assertions.Expect(card.Locator(".private-note")).ToHaveCountAsync(0);
        await card.Locator("button[data-action-id='approve']").ClickAsync();

        await Assertions.Expect(card.Locator(".card-status")).ToHaveTextAsync("approved");
        await Assertions.Expect(card.Locator(".card-meta")).ToContainTextAsync("by zhangsan");
        await Assertions.Expect(card.Locator("button[data-action-id]")).ToHaveCountAsync(0);
        Assert.Equal(2, receiver.Received.Count);
    }

    [Fact]
    public async Task PhonePage_GroupPicker_ShowsEachGroupsOwnMessages_AndTypesAsAMemberThere()
    {
        await using var host = await EmulatorHost.StartAsync();
        foreach (var (group, text) in new[] { (Sandbox.DingTalk.DingTalkSandboxOptions.ShopGroup, "shop notice"), (Sandbox.DingTalk.DingTalkSandboxOptions.FeedGroup, "feed notice") })
        {
            var (status, _) = await host.CallAsync(HttpMethod.Post, "v1.0/robot/groupMessages/send", new
            {
                robotCode = host.App.RobotCode, openConversationId = group, msgKey = "sampleText", msgParam = JsonSerializer.Serialize(new { content = text }),
            }, await host.TokenAsync());
            Assert.Equal(200, status);
        }

        using var playwright = await Playwright.CreateAsync();
        await using var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = "/usr/bin/chromium", Headless = true, Args = s_chromiumArgs,
        });
        var page = await browser.NewPageAsync();
        await page.GotoAsync($"{host.BaseUrl}/phone?user=wangwu");
        await Assertions.Expect(page.Locator("#group-name")).ToHaveTextAsync("SRE on-call (3)");
        await Assertions.Expect(page.Locator("#group-picker option")).ToHaveTextAsync(["SRE on-call", "Shop on-call", "Feed on-call"]);
        await Assertions.Expect(page.Locator("#timeline")).Not.ToContainTextAsync("shop notice");

        // wangwu is not in the shop group: the phone becomes its first member there.
        await page.Locator("#group-picker").SelectOptionAsync(Sandbox.DingTalk.DingTalkSandboxOptions.ShopGroup);
        await Assertions.Expect(page.Locator("#group-name")).ToHaveTextAsync("Shop on-call (2)");
        await Assertions.Expect(page.Locator(".user-chip")).ToHaveTextAsync(["Zzhangsan", "Llisi"]);
        await Assertions.Expect(page.Locator("#timeline")).ToContainTextAsync("shop notice");
        await Assertions.Expect(page.Locator("#timeline")).Not.ToContainTextAsync("feed notice");
        await page.Locator("#composer-input").FillAsync("hello shop");
        await page.Locator("#composer-send").ClickAsync();
        await Assertions.Expect(page.Locator("#timeline")).ToContainTextAsync("hello shop");

        var typed = Assert.Single((await host.Http.GetFromJsonAsync<JsonElement[]>("messages?kind=UserMessage"))!);
        Assert.Equal(("zhangsan", Sandbox.DingTalk.DingTalkSandboxOptions.ShopGroup), (typed.GetProperty("sender").GetString(), typed.GetProperty("openConversationId").GetString()));
    }

    [Fact]
    public async Task PhonePage_CardUpdatedThroughApi_ShowsNewStateLive()
    {
        await using var host = await EmulatorHost.StartAsync();
        await host.CreateCardAsync("live-card", null);
        using var playwright = await Playwright.CreateAsync();
        await using var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = "/usr/bin/chromium", Headless = true, Args = s_chromiumArgs,
        });
        var page = await browser.NewPageAsync();
        await page.GotoAsync($"{host.BaseUrl}/phone?user=lisi");
        var card = page.Locator("[data-out-track-id='live-card']");
        await Assertions.Expect(card.Locator(".card-status")).ToHaveTextAsync("pending");
        await Assertions.Expect(page.Locator("#live.on")).ToHaveCountAsync(1);

        await host.CallAsync(HttpMethod.Put, "v1.0/card/instances", new
        {
            outTrackId = "live-card",
            cardData = new { cardParamMap = new { status = "rejected", decidedBy = "lisi" } },
            cardUpdateOptions = new { updateCardDataByKey = true },
        }, await host.TokenAsync());
        await host.CallAsync(HttpMethod.Post, "v1.0/robot/ding/send", new
        {
            robotCode = host.App.RobotCode, remindType = 1, receiverUserIdList = new[] { "lisi" }, content = "Scale approval pending",
        }, await host.TokenAsync());

        await Assertions.Expect(card.Locator(".card-status")).ToHaveTextAsync("rejected");
        await Assertions.Expect(page.Locator(".ding.for-me")).ToContainTextAsync("Scale approval pending");
    }
    [Fact]
    public async Task PhonePage_LinksInCardAndMessageText_OnlyHttpOnesBecomeLinks()
    {
        // Reasons, chat replies and notices carry text people typed (a pin reason, a command the robot quotes back):
        // a markdown link in it must not become a script link on the sandbox's own origin, where the dashboard keeps its token.
        const string Script = "[details](javascript:document.title%3D%27pwned%27)";
        await using var host = await EmulatorHost.StartAsync();
        await host.CreateCardAsync("link-card", null, cardData: new System.Text.Json.Nodes.JsonObject
        {
            ["cardParamMap"] = new System.Text.Json.Nodes.JsonObject { ["status"] = "pending", ["reason"] = $"gala {Script} and [runbook](https://example.com/runbook)" },
        });
        await host.CallAsync(HttpMethod.Post, "v1.0/robot/groupMessages/send", new
        {
            robotCode = host.App.RobotCode, openConversationId = host.Group.OpenConversationId, msgKey = "sampleMarkdown",
            msgParam = JsonSerializer.Serialize(new { title = "frozen", text = $"frozen: {Script} [link](dingtalk://dingtalkclient/page/link?url=javascript%3Adocument.title%3D1)" }),
        }, await host.TokenAsync());
        using var playwright = await Playwright.CreateAsync();
        await using var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = "/usr/bin/chromium", Headless = true, Args = s_chromiumArgs,
        });
        var page = await browser.NewPageAsync();
        await page.GotoAsync($"{host.BaseUrl}/phone?user=zhangsan");
        await Assertions.Expect(page.Locator("[data-out-track-id='link-card'] .card-reason")).ToContainTextAsync("gala");
        await Assertions.Expect(page.Locator(".bubble").Filter(new() { HasText = "frozen" })).ToHaveCountAsync(1);

        var hrefs = await page.Locator("#timeline a").EvaluateAllAsync<string[]>("links => links.map(a => a.getAttribute('href'))");

        Assert.Equal(["https://example.com/runbook"], hrefs);
        await Assertions.Expect(page.Locator("[data-out-track-id='link-card'] .card-reason")).ToContainTextAsync("[details](javascript:");
    }
}
