using System.Globalization;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.Playwright;
using ScaleControl.Testing.Server;
using static ScaleControl.EndToEnd.Tests.DashboardBrowserTests;

namespace ScaleControl.EndToEnd.Tests;

/// <summary>
/// Stored XSS, in Debian's Chromium against the real sandbox: markup and script go in through every field a user or a
/// policy author controls and reaches a page — an approver's id on the policy, a pin's reason, a rejection's reason, a
/// freeze's reason, an expected event's reason and a chat message (markdown links included) — and the dashboard, the
/// proposal page and the emulated phone show it as text: nothing runs, no element is made from it, and no page trips its
/// own Content-Security-Policy (which would mean markup got in, or the page needs something its policy refuses).
/// </summary>
public sealed class InjectionBrowserTests(SandboxInChromium sandbox) : IClassFixture<SandboxInChromium>
{
    // Each part would set window.__xss if it ran: an element's handler, a script, markdown around markup, a link.
    private const string Payload = "<img src=x onerror=window.__xss=1><script>window.__xss=2</script> **<svg/onload=window.__xss=3>** "
        + "[runbook](javascript:window.__xss=4) [doc](https://x.example/\"onmouseover=window.__xss=5) `<b>code</b>` # <i>title</i>";

    private const string Approver = "<svg/onload=window.__xss=6>"; // a DingTalk userId has no spaces, nothing more is asked of it

    private const string Injected = "img[src='x'], script:not([src]), svg[onload], a[href^='javascript'], [onmouseover], b:text-is('code'), i:text-is('title')";

    [Fact]
    public async Task MarkupInEveryField_ShownAsText_NothingRuns()
    {
        using var api = Api(SandboxServer.AdminToken);
        var id = await PinAsync(api, "shop", "checkout-api", Payload);
        // DingTalk knows no such user, so this one's card is refused, and the refusal quotes the id too.
        await AddApproverAsync(api, "feed", "feed-api", Approver);
        var refused = await PinAsync(api, "feed", "feed-api", "an approver made of markup");
        using var zhangsan = Api(SandboxServer.OperatorToken);
        await SendAsync(zhangsan, HttpMethod.Post, $"/api/v1/proposals/{id}/reject", new { reason = Payload });
        await SendAsync(api, HttpMethod.Post, "/api/v1/policies/video/video-transcoder/freeze", new { durationSeconds = 600, reason = Payload });
        var at = DateTimeOffset.UtcNow.AddHours(6).ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture);
        await SendAsync(api, HttpMethod.Post, "/api/v1/policies/feed/feed-service/expected-events", new { at, durationSeconds = 600, multiplier = 2, reason = Payload });
        using var phoneApi = new HttpClient { BaseAddress = new Uri(sandbox.Url) };
        (await phoneApi.PostAsJsonAsync("/sandbox/dingtalk/messages", new { from = "zhangsan", conversationId = "cidSandboxOnCall0001==", text = $"@ScaleControl status {Payload}" })).EnsureSuccessStatusCode();

        var proposalPage = await OpenAsync($"/proposals/{id}");
        await Assertions.Expect(proposalPage.Page.Locator("#phase-line")).ToHaveTextAsync($"Rejected by zhangsan: {Payload}; no change.", new() { Timeout = Patient(10) });
        await Assertions.Expect(proposalPage.Page.Locator("[data-fact='Action'] dd")).ToHaveTextAsync($"a pin for 10m: {Payload}");
        await AssertNothingRanAsync(proposalPage);
        var refusedPage = await OpenAsync($"/proposals/{refused}");
        await Assertions.Expect(refusedPage.Page.Locator("[data-fact='Approvers'] dd")).ToHaveTextAsync($"zhangsan, lisi, {Approver}", new() { Timeout = Patient(10) });
        await Assertions.Expect(refusedPage.Page.Locator("[data-fact='Card'] dd")).ToContainTextAsync($"user {Approver} does not exist", new() { Timeout = Patient(10) });
        await AssertNothingRanAsync(refusedPage);

        var dashboard = await OpenAsync("/");
        await Assertions.Expect(dashboard.Page.Locator("#recent li[data-kind='Frozen'] .what")).ToContainTextAsync(Payload, new() { Timeout = Patient(10) });
        await Assertions.Expect(dashboard.Page.Locator("#recent li[data-kind='Prepared'] .what")).ToContainTextAsync(Payload);
        await Assertions.Expect(dashboard.Page.Locator("#recent li[data-kind='Rejected'] .what")).ToContainTextAsync("<img src=x");
        await AssertNothingRanAsync(dashboard);

        // The phone as an approver sees the rejected pin's card, the freeze and prepare notices, and the chat with the robot's answer.
        var phone = await OpenAsync("/sandbox/dingtalk/phone?user=zhangsan");
        var timeline = phone.Page.Locator("#timeline");
        await Assertions.Expect(timeline.Locator(".card.rejected")).ToContainTextAsync("<img src=x", new() { Timeout = Patient(10) });
        await Assertions.Expect(timeline.Locator(".msg.mine .bubble").Last).ToContainTextAsync("[runbook](javascript:window.__xss=4)");
        await Assertions.Expect(timeline.Locator(".msg:not(.mine) .bubble").Filter(new() { HasText = "frozen" }).Last).ToContainTextAsync("<script>window.__xss=2</script>");
        await Assertions.Expect(timeline.Locator(".msg:not(.mine) .bubble").Filter(new() { HasText = "feed/feed-service" }).Last).ToContainTextAsync("<svg/onload=window.__xss=3>");
        await AssertNothingRanAsync(phone);
        await phone.Page.ScreenshotAsync(new() { Path = Path.Combine(Path.GetTempPath(), "scalecontrol-injection-phone.png"), FullPage = true });
    }

    private sealed record Opened(IPage Page, List<string> Violations);

    /// <summary>A page, with every Content-Security-Policy violation it reports (the console's words) collected.</summary>
    private async Task<Opened> OpenAsync(string path)
    {
        var page = await sandbox.NewPageAsync();
        var violations = new List<string>();
        page.Console += (_, message) =>
        {
            if (message.Text.Contains("Content Security Policy", StringComparison.Ordinal))
            {
                lock (violations)
                {
                    violations.Add(message.Text);
                }
            }
        };
        await page.GotoAsync(sandbox.Url + path);
        return new Opened(page, violations);
    }

    private static async Task AssertNothingRanAsync(Opened opened)
    {
        foreach (var frame in opened.Page.Frames)
        {
            Assert.Equal("undefined", await frame.EvaluateAsync<string>("() => typeof window.__xss"));
            var made = await frame.Locator(Injected).EvaluateAllAsync<string[]>("elements => elements.map(e => e.outerHTML)");
            Assert.True(made.Length == 0, $"{frame.Url}: elements made from the data: {string.Join(" | ", made)}");
        }

        lock (opened.Violations)
        {
            Assert.Empty(opened.Violations);
        }
    }

    private HttpClient Api(string token)
    {
        var http = new HttpClient { BaseAddress = new Uri(sandbox.Url) };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return http;
    }

    private static async Task<JsonNode> SendAsync(HttpClient http, HttpMethod method, string path, object body)
    {
        using var response = await http.SendAsync(new HttpRequestMessage(method, path) { Content = JsonContent.Create(body) });
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"{method} {path}: {(int)response.StatusCode} {text}");
        return JsonNode.Parse(text)!;
    }

    private async Task<string> PinAsync(HttpClient api, string ns, string workload, string reason)
    {
        var pin = await SendAsync(api, HttpMethod.Post, $"/api/v1/workloads/{ns}/{workload}/pin", new { replicas = await ReplicasAsync(ns, workload) + 2, durationSeconds = 600, reason });
        return $"{ns}/{pin["metadata"]!["name"]}";
    }

    private static async Task AddApproverAsync(HttpClient http, string ns, string name, string approver)
    {
        var policy = (await http.GetFromJsonAsync<JsonObject>($"/api/v1/policies/{ns}/{name}"))!;
        policy.Remove("status");
        policy.Remove("key");
        policy["spec"]!["approval"]!["approvers"]!.AsArray().Add(approver);
        await SendAsync(http, HttpMethod.Put, $"/api/v1/policies/{ns}/{name}", policy);
    }

    private async Task<int> ReplicasAsync(string ns, string workload) =>
        int.Parse((await sandbox.Kubectl.RunAsync("get", "deployment", workload, "-n", ns, "-o", "jsonpath={.spec.replicas}")).StdOut.Trim(), CultureInfo.InvariantCulture);
}
