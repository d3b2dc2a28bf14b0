using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.Playwright;
using ScaleControl.EndToEnd.Tests.Infrastructure;
using ScaleControl.Testing.Timing;
using static ScaleControl.EndToEnd.Tests.DashboardBrowserTests;

namespace ScaleControl.EndToEnd.Tests;

/// <summary>
/// Pods that wait for a node, seen where on-call looks during a storm: the dashboard's workload tile on a phone and the
/// robot's status answer on the emulated phone, in Debian's Chromium against the real server in sandbox mode. The
/// nodes are filled with real kubectl (<see cref="FullNodes"/>) and a pod of the seeded video-transcoder StatefulSet
/// (1 CPU each, an automatic policy, so no card waits on it) comes back Pending.
/// </summary>
public sealed class NotReadyPodsBrowserTests(SandboxInChromium sandbox) : IClassFixture<SandboxInChromium>
{
    private const string Ns = "video";
    private const string Workload = "video-transcoder";
    private const string Policy = $"{Ns}/{Workload}";

    [Fact]
    public async Task Dashboard_PodWaitsForANode_TileSaysWhyAsText_ReadableOnAPhone_GoneOnceReady()
    {
        var page = await sandbox.OpenDashboardAsync(Phone);
        var tile = page.Locator($"[data-workload='{Policy}']");
        var notReady = tile.Locator(".not-ready");
        await Assertions.Expect(tile).ToBeVisibleAsync();
        await Assertions.Expect(notReady).ToHaveCountAsync(0);
        var replicas = await sandbox.Kubectl.ReplicasAsync("statefulset", Ns, Workload);
        var pod = $"{Workload}-{replicas - 1}";

        await using (var full = await FullNodes.FillAsync(sandbox.Kubectl))
        {
            await full.RecreatePendingAsync(Ns, pod);

            // The scheduler's own words, one line under the charts, with the ready count that lags.
            await Assertions.Expect(notReady).ToHaveTextAsync($"1 of {replicas} pods Pending: {FullNodes.NoRoom}", new() { Timeout = Patient(15) });
            await Assertions.Expect(tile.Locator("[data-role='ready']")).ToHaveTextAsync((replicas - 1).ToString(CultureInfo.InvariantCulture));
            var layout = await PhoneLayoutAsync(page, Policy);
            Assert.True(layout.GetProperty("scrollWidth").GetInt32() <= layout.GetProperty("width").GetInt32(), layout.ToString());
            Assert.Empty(layout.GetProperty("outsideTile").EnumerateArray());
            Assert.Empty(layout.GetProperty("cut").EnumerateArray());
            await tile.ScreenshotAsync(new() { Path = Path.Combine(Path.GetTempPath(), "notready-dashboard.png") });

            // What a scheduler writes is not ours: markup in its message is shown as the characters it is, never run.
            const string markup = "0/3 nodes are available: 3 node(s) didn't match <b>gpu</b> <img src=x onerror=\"window.notReadyMarkupRan=1\">.";
            await full.WriteSchedulerMessageAsync(Ns, pod, markup);
            await Assertions.Expect(notReady).ToHaveTextAsync($"1 of {replicas} pods Pending: {markup}", new() { Timeout = Patient(15) });
            await Assertions.Expect(tile.Locator("b, img")).ToHaveCountAsync(0);
            Assert.False(await page.EvaluateAsync<bool>("() => 'notReadyMarkupRan' in window"));
        }

        // Room again: the pod is bound and becomes ready, and the line goes with the next polls.
        await Assertions.Expect(tile.Locator("[data-role='ready']")).ToHaveTextAsync(replicas.ToString(CultureInfo.InvariantCulture), new() { Timeout = Patient(15) });
        await Assertions.Expect(notReady).ToHaveCountAsync(0, new() { Timeout = Patient(10) });
    }

    [Fact]
    public async Task Phone_StatusOfAWorkloadWhosePodWaitsForANode_AnswerSaysWhy()
    {
        var replicas = await sandbox.Kubectl.ReplicasAsync("statefulset", Ns, Workload);
        await using var full = await FullNodes.FillAsync(sandbox.Kubectl);
        await full.RecreatePendingAsync(Ns, $"{Workload}-{replicas - 1}");
        var line = $"1 of {replicas} pods Pending: {FullNodes.NoRoom}";
        // The answer reads the status when the message arrives: ask once the server sees the pod Pending.
        Assert.True(await Patience.UntilAsync(async () => (await NotReadyLinesAsync()).Contains(line), 15), $"status never said: {line}");

        var page = await sandbox.NewPageAsync(Phone);
        await page.GotoAsync($"{sandbox.Url}/sandbox/dingtalk/phone?user=zhangsan");
        await Assertions.Expect(page.Locator("#live")).ToHaveClassAsync(new Regex("on"));
        await page.Locator("#composer-input").FillAsync($"@ScaleControl status {Policy}");
        await page.ClickAsync("#composer-send");

        var answer = page.Locator(".msg:not(.mine) .bubble").Filter(new() { HasText = Policy }).Last;
        await Assertions.Expect(answer).ToContainTextAsync($"⏳ {line}", new() { Timeout = Patient(10) });
        await Assertions.Expect(answer).ToContainTextAsync($"({replicas - 1} ready)");

        // A scheduler's message with markup comes back as the characters it is: no bold, no image, no escapes shown.
        const string markup = "0/3 nodes are available: 3 node(s) didn't match <b>gpu</b> <img src=x> [docs](http://evil.example) *now*.";
        await full.WriteSchedulerMessageAsync(Ns, $"{Workload}-{replicas - 1}", markup);
        var marked = $"1 of {replicas} pods Pending: {markup}";
        Assert.True(await Patience.UntilAsync(async () => (await NotReadyLinesAsync()).Contains(marked), 15), $"status never said: {marked}");
        await page.Locator("#composer-input").FillAsync($"@ScaleControl status {Policy}");
        await page.ClickAsync("#composer-send");
        var second = page.Locator(".msg:not(.mine) .bubble").Filter(new() { HasText = "didn't match" }).Last;
        await Assertions.Expect(second).ToContainTextAsync($"⏳ {marked}", new() { Timeout = Patient(10) });
        Assert.Equal(0, await second.Locator("img, a[href*='evil.example']").CountAsync());
        Assert.Equal(0, await second.Locator("b, strong, em, i").Filter(new() { HasTextRegex = new Regex("^(gpu|now)$") }).CountAsync());
        await page.ScreenshotAsync(new() { Path = Path.Combine(Path.GetTempPath(), "notready-phone-chat.png"), FullPage = true });
    }

    /// <summary>What a person on a phone could not read: sideways scroll, anything of the tile past its edge, a line cut off.</summary>
    private static async Task<JsonElement> PhoneLayoutAsync(IPage page, string policy) =>
        await page.EvaluateAsync<JsonElement>("""
            policy => {
              const width = document.documentElement.clientWidth;
              const tile = document.querySelector(`[data-workload="${policy}"]`);
              const edge = tile.getBoundingClientRect().right;
              return {
                width,
                scrollWidth: document.documentElement.scrollWidth,
                outsideTile: [...tile.querySelectorAll('*')]
                  .filter(e => e.getBoundingClientRect().width > 0 && e.getBoundingClientRect().right > edge + 1)
                  .map(e => e.tagName + '.' + (e.className.baseVal ?? e.className)),
                cut: [...tile.querySelectorAll('.not-ready')].filter(p => p.scrollWidth > p.clientWidth + 1).map(p => p.textContent),
              };
            }
            """, policy);

    private async Task<List<string>> NotReadyLinesAsync()
    {
        var status = await sandbox.ApiAsync("/api/v1/status");
        var row = status!["policies"]!.AsArray().Single(p => $"{p!["namespace"]}/{p["name"]}" == Policy)!;
        return [.. row["notReady"]?["lines"]?.AsArray().Select(l => l!.GetValue<string>()) ?? []];
    }
}
