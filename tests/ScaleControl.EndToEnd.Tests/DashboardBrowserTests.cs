using System.Globalization;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Playwright;
using ScaleControl.Testing.Server;
using ScaleControl.Testing.Timing;

namespace ScaleControl.EndToEnd.Tests;

/// <summary>
/// The dashboard (<c>/</c>) in Debian's Chromium through Playwright, against the real server in sandbox mode on Kestrel:
/// a newcomer starts a hot event from the page, the card arrives on the emulated phone, zhangsan taps Approve, and the
/// dashboard shows the replicas rise. This is the sandbox's own demo (the dashboard's hot-event form and embedded phone
/// exist only in sandbox mode), so it runs the all-in-one sandbox rather than <see cref="Infrastructure.ProductOnCluster"/>;
/// the same approval path in cluster mode under the chart's RBAC is ApprovalFlowTests'.
/// </summary>
public sealed class DashboardBrowserTests(DashboardBrowserTests.SandboxInChromium sandbox) : IClassFixture<DashboardBrowserTests.SandboxInChromium>
{
    [Fact]
    public async Task Dashboard_HotEventApprovedOnPhone_ReplicasRiseOnDashboard()
    {
        var policy = await sandbox.PolicyNeedingApprovalAsync();
        var page = await sandbox.OpenDashboardAsync();
        var card = page.Locator($"[data-workload='{policy.Id}']");
        await Assertions.Expect(card).ToBeVisibleAsync();
        var readyBefore = await ReadyAsync(card);

        await page.SelectOptionAsync("#hot-workload", policy.WorkloadId);
        await page.Locator("#hot-multiplier").FillAsync("8");
        await page.ClickAsync("#hot-form summary"); // the event's shape is folded away by default
        await page.Locator("#hot-ramp").FillAsync("0");
        await page.ClickAsync("#hot-start");
        await Assertions.Expect(page.Locator("#hot-result")).ToContainTextAsync($"{policy.WorkloadId} is getting 8× traffic");
        await Assertions.Expect(card.Locator(".chip.hotevent")).ToBeVisibleAsync();

        // The proposal shows on the dashboard and its card arrives on the phone, where zhangsan taps Approve.
        await Assertions.Expect(page.Locator("#proposals .proposal")).ToHaveCountAsync(1, new() { Timeout = Patient(20) });
        var proposal = await page.Locator("#proposals .proposal").GetAttributeAsync("data-proposal");
        var phone = page.FrameLocator("#phone");
        await phone.Locator(".user-chip[data-user='zhangsan']").ClickAsync();
        await Assertions.Expect(phone.Locator(".user-chip[data-user='zhangsan']")).ToHaveAttributeAsync("aria-pressed", "true");

        // zhangsan taps Approve on the card of what waits now. With a 0 s ramp the measured rate still climbs for a few
        // seconds, so a bigger step may supersede that card (or update it in place) under the finger; the card then says
        // so and they tap what it asks now, as a person would: once per question, never again while a tap is on its way.
        // Each tap goes to the card of the policy's pending proposal, never another service's.
        JsonNode? applied = null;
        var tapped = new HashSet<string>();
        await WaitUntilAsync(async () =>
        {
            applied = await AppliedApprovalAsync(policy, "zhangsan");
            if (applied is null && await PendingQuestionAsync(policy) is { } question && tapped.Add(question.ToString()))
            {
                var approve = phone.Locator($".card[data-out-track-id='{question.OutTrackId}'] button[data-action-id]").Filter(new() { HasTextRegex = new("^\\s*Approve\\s*$") });
                try
                {
                    await approve.ClickAsync(new() { Timeout = Patient(5) });
                }
                catch (Exception e) when (e is PlaywrightException or TimeoutException)
                {
                    tapped.Remove(question.ToString()); // the card was redrawn (or not yet on the phone) while the tap was on its way: look again
                }
            }

            return applied is not null;
        }, Patience.Of(30), "a proposal zhangsan approved on the phone to be applied",
            async () => $"tapped: {string.Join(", ", tapped)}; proposals: {await sandbox.ApiAsync($"/api/v1/proposals?namespace={policy.Namespace}&policy={policy.Name}")}");

        // Replicas rise on the dashboard to (at least) the applied count, the first proposal leaves the open list (the 8×
        // traffic may well bring the next step's proposal, or another service its own) and the history says who approved.
        var appliedReplicas = applied!["status"]!["appliedReplicas"]!.GetValue<int>();
        Assert.True(appliedReplicas > readyBefore, $"applied {appliedReplicas}, ready before {readyBefore}");
        await WaitUntilAsync(async () => await ReadyAsync(card) >= appliedReplicas, Patience.Of(20), $"ready replicas to reach {appliedReplicas}");
        await Assertions.Expect(page.Locator($"#proposals .proposal[data-proposal='{proposal}']")).ToHaveCountAsync(0, new() { Timeout = Patient(10) });
        await Assertions.Expect(page.Locator("#recent li[data-kind='Approved']").First).ToContainTextAsync("zhangsan");

        // The card's "View details" link (/proposals/NS/NAME) on the applied card: the proposal's own page says what became of it.
        var appliedId = $"{policy.Namespace}/{applied["metadata"]!["name"]}";
        var details = await sandbox.NewPageAsync(Phone);
        await details.GotoAsync($"{sandbox.Url}/proposals/{appliedId}");
        await Assertions.Expect(details.Locator("#phase")).ToHaveTextAsync("Applied");
        await Assertions.Expect(details.Locator("#phase-line")).ToContainTextAsync("approved by zhangsan via DingTalk");
        await page.ScreenshotAsync(new() { Path = Path.Combine(Path.GetTempPath(), "scalecontrol-dashboard-after-approval.png"), FullPage = true });

        // Someone scales it by hand: the change's Undo is withdrawn, and the proposal's page says why, in the card's words.
        var target = applied["spec"]!["target"]!;
        await sandbox.Kubectl.RunAsync("scale", target["kind"]!.GetValue<string>().ToLowerInvariant(), target["name"]!.GetValue<string>(),
            "-n", policy.Namespace, $"--replicas={applied["status"]!["appliedReplicas"]!.GetValue<int>() + 1}");
        string? withdrawn = null;
        await WaitUntilAsync(async () => (withdrawn = (await sandbox.ApiAsync($"/api/v1/proposals/{appliedId}"))!["status"]!["undoWithdrawn"]?["message"]?.GetValue<string>()) is not null,
            Patience.Of(20), "the applied change's Undo to be withdrawn");
        Assert.StartsWith($"{policy.WorkloadId} moved to ", withdrawn, StringComparison.Ordinal);
        var later = await sandbox.NewPageAsync(Phone);
        await later.GotoAsync($"{sandbox.Url}/proposals/{appliedId}");
        await Assertions.Expect(later.Locator("#phase-line")).ToContainTextAsync($"Undo no longer offered: {withdrawn}");
        await Assertions.Expect(later.Locator("[data-fact='Undo'] dd")).ToHaveTextAsync($"no longer offered: {withdrawn}");
    }

    [Fact]
    public async Task GroupCard_HotEventOnTheChain_OneCardApproveAllScalesAllThree()
    {
        var chain = (await sandbox.PoliciesAsync()).Where(p => p.Group == "feed-chain").ToList();
        Assert.Equal(3, chain.Count);
        var page = await sandbox.OpenDashboardAsync();
        var before = new Dictionary<string, int>();
        foreach (var policy in chain)
        {
            var tile = page.Locator($"[data-workload='{policy.Id}']");
            await Assertions.Expect(tile).ToBeVisibleAsync();
            before[policy.Id] = await ReadyAsync(tile);
            await page.SelectOptionAsync("#hot-workload", policy.WorkloadId);
            await page.Locator("#hot-multiplier").FillAsync("4");
            if (!await page.Locator("#hot-ramp").IsVisibleAsync())
            {
                await page.ClickAsync("#hot-form summary");
            }

            await page.Locator("#hot-ramp").FillAsync("0");
            await page.ClickAsync("#hot-start");
            await Assertions.Expect(page.Locator("#hot-result")).ToContainTextAsync($"{policy.WorkloadId} is getting 4× traffic");
        }

        // One group card on the phone with a row per service; zhangsan taps Approve all once.
        var phone = page.FrameLocator("#phone");
        await phone.Locator(".user-chip[data-user='zhangsan']").ClickAsync();
        // Not an automatic steps card (status auto): it has rows too, one per automatic step.
        var groupCards = phone.Locator(".card[data-out-track-id]:not(.auto)").Filter(new() { Has = phone.Locator(".card-rows") });
        await Assertions.Expect(groupCards).ToHaveCountAsync(1, new() { Timeout = Patient(20) });
        // This card from here on: traffic keeps rising, so a newer card for a service may follow once rows are applied.
        var outTrackId = await groupCards.GetAttributeAsync("data-out-track-id");
        var groupCard = phone.Locator($".card[data-out-track-id='{outTrackId}']");
        foreach (var policy in chain)
        {
            await Assertions.Expect(groupCard.Locator(".card-rows")).ToContainTextAsync(policy.Id, new() { Timeout = Patient(10) });
        }

        // One row first, with its own button: only that service scales (seen from outside, by kubectl), the card
        // shows the row applied in place, and the other rows still wait.
        var single = chain[0];
        var specBefore = await SpecReplicasAsync(single);
        var row = groupCard.Locator($".card-row[data-workload='{single.WorkloadId}']").First; // a later step for it would be a newer row below
        await row.Locator("button[data-action-id='approve_row']").ClickAsync();
        await WaitUntilAsync(async () => await SpecReplicasAsync(single) > specBefore, Patience.Of(20), $"{single.Id} spec.replicas to rise (kubectl)");
        await Assertions.Expect(row).ToContainTextAsync("applied", new() { Timeout = Patient(10) });
        await Assertions.Expect(row.Locator("button[data-action-id='approve_row']")).ToHaveCountAsync(0);
        await Assertions.Expect(groupCard.Locator("button[data-action-id='approve_row']").First).ToBeVisibleAsync();
        var scaledRow = (await sandbox.Kubectl.RunAsync("get", "scaleproposals", "-n", single.Namespace, "-o",
            "jsonpath={range .items[?(@.status.phase==\"Applied\")]}{.spec.target.name}={.status.approvals[0].user}{\"\\n\"}{end}")).StdOut;
        Assert.Contains($"{single.Workload}=zhangsan", scaledRow, StringComparison.Ordinal);

        await groupCard.Locator("button[data-action-id='approve_all']").ClickAsync();

        foreach (var policy in chain)
        {
            var tile = page.Locator($"[data-workload='{policy.Id}']");
            // On a timeout, say what the proposals and pods were (a row superseded by a newer card, or pods not yet ready).
            await WaitUntilAsync(async () => await ReadyAsync(tile) > before[policy.Id], Patience.Of(20), $"{policy.Id} ready replicas to rise",
                async () => (await sandbox.Kubectl.RunAsync("get", "scaleproposals,pods", "-n", policy.Namespace, "-o", "wide")).StdOut);
        }

        await Assertions.Expect(groupCard).ToContainTextAsync(new System.Text.RegularExpressions.Regex("by .*(Zhang San|zhangsan)"), new() { Timeout = Patient(10) });

        // Call the event off first, as an operator would: while the traffic still rises the loop proposes more for a
        // service (a Pending 3 → 4), and undo then refuses, by design, to cut what the traffic asks for again ("the
        // traffic moved on"). On a loaded machine that proposal once came before the tap and one row stayed at 3.
        await sandbox.CallOffHotEventsAsync(single.Namespace);

        // Undo all by an approver: every service back where the card's first applied step found it (kubectl both ways).
        var applied = (await sandbox.Kubectl.RunAsync("get", "scaleproposals", "-n", single.Namespace, "-o",
            "jsonpath={range .items[*]}{.status.card.outTrackId} {.status.phase} {.metadata.creationTimestamp} {.spec.target.name} {.spec.fromReplicas}{\"\\n\"}{end}")).StdOut
            .Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(line => line.Split(' '))
            .Where(f => f.Length == 5 && f[0] == outTrackId && f[1] == "Applied").ToList();
        var startedAt = chain.ToDictionary(p => p.Id, p => int.Parse(applied.Where(f => f[3] == p.Workload).OrderBy(f => f[2], StringComparer.Ordinal).First()[4], CultureInfo.InvariantCulture));
        await groupCard.Locator("button[data-action-id='undo_all']").ClickAsync();
        foreach (var policy in chain)
        {
            await WaitUntilAsync(async () => await SpecReplicasAsync(policy) == startedAt[policy.Id], Patience.Of(20), $"{policy.Id} spec.replicas back to {startedAt[policy.Id]} (kubectl)",
                async () => $"{await ProposalsAsync(single.Namespace)}\ncard: {await groupCard.InnerTextAsync()}\nphone (end): {Tail(await phone.Locator("body").InnerTextAsync(), 4000)}");
        }

        await Assertions.Expect(groupCard).ToContainTextAsync(new System.Text.RegularExpressions.Regex("undone by .*(Zhang San|zhangsan)"), new() { Timeout = Patient(10) });
        await Assertions.Expect(groupCard.Locator("button[data-action-id='undo_all']")).ToHaveCountAsync(0, new() { Timeout = Patient(10) });
    }

    /// <summary>The namespace's proposals, a line each (card, phase, times, counts, undo): what a failed wait explains itself with.</summary>
    private async Task<string> ProposalsAsync(string ns) =>
        (await sandbox.Kubectl.RunAsync("get", "scaleproposals", "-n", ns, "--sort-by=.metadata.creationTimestamp", "-o",
            "custom-columns=NAME:.metadata.name,TARGET:.spec.target.name,CARD:.status.card.outTrackId,PHASE:.status.phase,CREATED:.metadata.creationTimestamp,"
            + "FROM:.spec.fromReplicas,TO:.spec.toReplicas,APPLIED:.status.appliedReplicas,AT:.status.appliedAt,UNDO:.status.undo.proposal,WITHDRAWN:.status.undoWithdrawn.message,MESSAGE:.status.message")).StdOut;

    private static string Tail(string text, int chars) => text.Length <= chars ? text : text[^chars..];

    private async Task<int> SpecReplicasAsync(SeededPolicy policy) =>
        int.Parse((await sandbox.Kubectl.RunAsync("get", "deployment", policy.Workload, "-n", policy.Namespace, "-o", "jsonpath={.spec.replicas}")).StdOut.Trim(), CultureInfo.InvariantCulture);

    [Fact]
    public async Task Dashboard_Sandbox_ShowsEveryPolicyWithChartsAndThePhone()
    {
        var policies = await sandbox.PoliciesAsync();
        var page = await sandbox.OpenDashboardAsync();

        await Assertions.Expect(page.Locator("#mode")).ToHaveTextAsync("sandbox");
        await Assertions.Expect(page.Locator("[data-workload]")).ToHaveCountAsync(policies.Count);
        foreach (var policy in policies)
        {
            var card = page.Locator($"[data-workload='{policy.Id}']");
            await Assertions.Expect(card.Locator("svg.chart")).ToHaveCountAsync(2);
            await Assertions.Expect(card.Locator("svg.chart").First).ToHaveAccessibleNameAsync(new System.Text.RegularExpressions.Regex($"^{policy.Id}: .*traffic; now "));
            await Assertions.Expect(card.Locator("svg.chart").Last).ToHaveAccessibleNameAsync(new System.Text.RegularExpressions.Regex($"^{policy.Id}: replicas; now ready \\d+, desired \\d+, current \\d+$"));
            await Assertions.Expect(card.Locator("path[data-series='ready']")).ToHaveCountAsync(1, new() { Timeout = Patient(5) });
            // The time axis: the middle label is half the window (a 5-minute window's middle is -2.5m, not -3m).
            var axis = await card.Locator("svg.chart").First.EvaluateAsync<string[]>("svg => [...svg.querySelectorAll('text[text-anchor=start], text[text-anchor=middle]')].map(t => t.textContent)");
            Assert.Equal(Minutes(axis[0]) / 2, Minutes(axis[1]));
        }

        await Assertions.Expect(page.Locator("#phone")).ToHaveAttributeAsync("src", "/sandbox/dingtalk/phone");
        await Assertions.Expect(page.Locator("#hot-form")).ToBeVisibleAsync();
        await Assertions.Expect(page.Locator("#hot-multiplier")).ToHaveAccessibleNameAsync(new System.Text.RegularExpressions.Regex("^Traffic ×"));
        await Assertions.Expect(page.Locator("#live")).ToHaveAttributeAsync("data-state", "live");
    }

    [Fact]
    public async Task Dashboard_FreshServer_DrawsTheLastHalfHourFilledInFromPrometheus()
    {
        // The server started minutes ago, yet each chart spans its half hour at once: the loop filled the past in
        // from the sandbox's Prometheus API before its first evaluation, drawn apart from what it evaluated itself.
        var policies = await sandbox.PoliciesAsync();
        var page = await sandbox.OpenDashboardAsync();
        foreach (var policy in policies)
        {
            var traffic = page.Locator($"[data-workload='{policy.Id}'] svg.chart").First;
            await Assertions.Expect(traffic.Locator("path[data-series='value'][data-backfilled='true']")).ToHaveCountAsync(1);
            await Assertions.Expect(traffic.Locator("path[data-series='value']:not([data-backfilled])")).ToHaveCountAsync(1);
            await Assertions.Expect(traffic.Locator("text[text-anchor=start]")).ToHaveTextAsync("-30m");
            Assert.Contains("filled in after a restart", await traffic.EvaluateAsync<string>("svg => svg.querySelector('rect.backfilled-band title').textContent"), StringComparison.Ordinal);
        }

        var card = page.Locator($"[data-workload='{policies[0].Id}']");
        await Assertions.Expect(card.Locator(".legend span[title]").First).ToHaveTextAsync("from Prometheus after a restart");
        await page.ScreenshotAsync(new() { Path = Path.Combine(Path.GetTempPath(), "scalecontrol-dashboard-backfilled.png"), FullPage = true });
    }

    [Fact]
    public async Task Dashboard_ClusterMode_AsksForTokenKeepsItAndHidesSandboxControls()
    {
        const string clusterToken = "cluster-operator-token";
        var page = await sandbox.NewPageAsync();

        // Play a cluster: only clusterToken is accepted, and the server says mode "cluster" (the real answer, relabelled).
        await page.RouteAsync("**/api/v1/dashboard*", async route =>
        {
            if (route.Request.Headers.GetValueOrDefault("authorization") != $"Bearer {clusterToken}")
            {
                await route.FulfillAsync(new() { Status = 401, ContentType = "application/problem+json", Body = """{"title":"Unauthorized","status":401}""" });
                return;
            }

            var headers = new Dictionary<string, string>(route.Request.Headers) { ["authorization"] = $"Bearer {SandboxInChromium.AdminToken}" };
            var response = await route.FetchAsync(new() { Headers = headers });
            var body = JsonNode.Parse(await response.TextAsync())!;
            body["status"]!["mode"] = "cluster";
            await route.FulfillAsync(new() { Response = response, Body = body.ToJsonString() });
        });
        await page.GotoAsync(sandbox.Url);

        await Assertions.Expect(page.Locator("#login")).ToBeVisibleAsync();
        await Assertions.Expect(page.Locator("#login-token")).ToHaveAccessibleNameAsync("Token");
        await page.FillAsync("#login-token", "wrong");
        await page.ClickAsync("#login button[type=submit]");
        await Assertions.Expect(page.Locator("#login-error")).ToHaveTextAsync("This token is not accepted.");
        await page.FillAsync("#login-token", clusterToken);
        await page.ClickAsync("#login button[type=submit]");

        await Assertions.Expect(page.Locator("#login")).ToBeHiddenAsync();
        await Assertions.Expect(page.Locator("#mode")).ToHaveTextAsync("cluster");
        await Assertions.Expect(page.Locator("[data-workload]").First).ToBeVisibleAsync();
        await Assertions.Expect(page.Locator("#hot-form")).ToBeHiddenAsync();
        await Assertions.Expect(page.Locator("#phone")).ToBeHiddenAsync();
        Assert.Equal(clusterToken, await page.EvaluateAsync<string>("localStorage.getItem('scalecontrol.token')"));

        await page.ReloadAsync();
        await Assertions.Expect(page.Locator("#login")).ToBeHiddenAsync();
        await Assertions.Expect(page.Locator("#signout")).ToBeVisibleAsync();
    }

    [Fact]
    public async Task Dashboard_PhoneWidth_NothingScrollsSidewaysAndEveryReasonIsReadable()
    {
        // On-call reads the page on a phone: no sideways scrolling, every number inside its card, and the "why" of each
        // card in full (a phone has no hover to read a cut-off line's tooltip).
        var page = await sandbox.OpenDashboardAsync(Phone);
        await Assertions.Expect(page.Locator("[data-workload] .reason").First).Not.ToBeEmptyAsync();

        var layout = await page.EvaluateAsync<JsonElement>("""
            () => {
              const width = document.documentElement.clientWidth;
              const cards = [...document.querySelectorAll('[data-workload]')];
              return {
                width,
                scrollWidth: document.documentElement.scrollWidth,
                outside: [...document.querySelectorAll('.topbar *, .card *')]
                  .filter(e => e.getBoundingClientRect().width > 0 && e.getBoundingClientRect().right > width + 1)
                  .map(e => e.tagName + '.' + (e.className.baseVal ?? e.className)),
                statsOutsideCard: cards.flatMap(card => [...card.querySelectorAll('.stat')]
                  .filter(s => s.getBoundingClientRect().right > card.getBoundingClientRect().right + 1)
                  .map(s => card.dataset.workload + ' ' + s.className)),
                cutReasons: cards.map(c => c.querySelector('.reason')).filter(r => r.scrollWidth > r.clientWidth + 1).map(r => r.textContent),
              };
            }
            """);
        Assert.True(layout.GetProperty("scrollWidth").GetInt32() <= layout.GetProperty("width").GetInt32(), layout.ToString());
        Assert.Empty(layout.GetProperty("outside").EnumerateArray());
        Assert.Empty(layout.GetProperty("statsOutsideCard").EnumerateArray());
        Assert.Empty(layout.GetProperty("cutReasons").EnumerateArray());
        await page.ScreenshotAsync(new() { Path = Path.Combine(Path.GetTempPath(), "scalecontrol-dashboard-phone.png") });
    }

    [Fact]
    public async Task Dashboard_NoActionsYet_SaysSoOnOneLine()
    {
        // The recent actions' three-column grid once put "No actions yet." into its 64 px time column, a word a line.
        var page = await sandbox.NewPageAsync();
        await page.RouteAsync("**/api/v1/dashboard*", async route =>
        {
            var response = await route.FetchAsync();
            var body = JsonNode.Parse(await response.TextAsync())!;
            body["recent"] = new JsonArray(); // the real answer of a server that has done nothing yet
            await route.FulfillAsync(new() { Response = response, Body = body.ToJsonString() });
        });
        await page.GotoAsync(sandbox.Url);

        var empty = page.Locator("#recent li.empty");
        await Assertions.Expect(empty).ToHaveTextAsync("No actions yet.");
        var lines = await empty.EvaluateAsync<int>("li => { const r = document.createRange(); r.selectNodeContents(li); return new Set([...r.getClientRects()].map(c => Math.round(c.top))).size; }");
        Assert.Equal(1, lines);
    }

    [Fact]
    public async Task Dashboard_ObservePolicy_ChipSaysWhatItWouldRun_DesiredReadsWouldRun()
    {
        // The server's own answer with one policy in mode Observe (4 run, 9 it would run): the shared sandbox stays as seeded.
        var page = await sandbox.NewPageAsync();
        var observed = (await sandbox.PoliciesAsync())[0];
        await page.RouteAsync("**/api/v1/dashboard*", async route =>
        {
            var response = await route.FetchAsync();
            var body = JsonNode.Parse(await response.TextAsync())!;
            foreach (var policy in body["status"]!["policies"]!.AsArray().Where(p => $"{p!["namespace"]}/{p["name"]}" == observed.Id))
            {
                policy!["mode"] = "Observe";
                policy["currentReplicas"] = 4;
                policy["desiredReplicas"] = 9;
            }

            await route.FulfillAsync(new() { Response = response, Body = body.ToJsonString() });
        });
        await page.GotoAsync(sandbox.Url);

        var card = page.Locator($"[data-workload='{observed.Id}']");
        await Assertions.Expect(card.Locator(".chip.mode-Observe")).ToHaveTextAsync("Observe · would 4 → 9");
        await Assertions.Expect(card.Locator(".chip.mode-Observe")).ToHaveAttributeAsync("title", "observe only: decided as Auto, nothing written");
        await Assertions.Expect(card.Locator(".stat.desired .label")).ToHaveTextAsync("would run");
        await Assertions.Expect(card.Locator(".legend span", new() { HasText = "Would run (observed)" })).ToHaveCountAsync(1);
        await Assertions.Expect(page.Locator(".chip.mode-Observe")).ToHaveCountAsync(1);
    }

    [Fact]
    public async Task Dashboard_NextPolls_KeepTheTextSomeoneIsSelecting()
    {
        // Copying a line off the page (the `scalectl approve` line, a target) must survive the 1.5 s refresh.
        var page = await sandbox.OpenDashboardAsync();
        var selected = await page.EvaluateAsync<string>("""
            () => {
              const target = document.querySelector('[data-workload] .target');
              window.selectedNode = target;
              const range = document.createRange();
              range.selectNodeContents(target);
              getSelection().removeAllRanges();
              getSelection().addRange(range);
              return getSelection().toString();
            }
            """);
        Assert.Contains('/', selected);

        for (var poll = 0; poll < 3; poll++) // the page draws each answer before it asks again
        {
            await page.WaitForResponseAsync(r => r.Url.Contains("/api/v1/dashboard", StringComparison.Ordinal), new() { Timeout = Patient(10) });
        }

        Assert.Equal(selected, await page.EvaluateAsync<string>("() => getSelection().toString()"));
        Assert.True(await page.EvaluateAsync<bool>("() => window.selectedNode.isConnected"), "the selected node was replaced");
    }

    [Fact]
    public async Task Dashboard_LoopStalledAndPrometheusDown_SaysSoAndShowsTheLastGoodValueAsStale()
    {
        const string problem = "unavailable (Prometheus unreachable at http://prometheus:9090/: Connection refused)";
        var policies = await sandbox.PoliciesAsync();
        var page = await sandbox.NewPageAsync();
        // The real answer, as it reads when the leader's loop stopped ticking 10 minutes ago and Prometheus stopped answering.
        await page.RouteAsync("**/api/v1/dashboard*", async route =>
        {
            var response = await route.FetchAsync();
            var body = JsonNode.Parse(await response.TextAsync())!;
            body["status"]!["lastTick"] = DateTimeOffset.UtcNow.AddMinutes(-10).ToString("O", CultureInfo.InvariantCulture);
            body["status"]!["isLeader"] = true;
            // A card DingTalk throttled (storm walkthrough, DingTalk degraded): the proposal waits and nobody may know.
            body["status"]!["unseen"] = new JsonArray(new JsonObject
            {
                ["namespace"] = "shop", ["name"] = "checkout-api-1", ["workload"] = "shop/checkout-api",
                ["line"] = "4 → 24 (checkout-api-1), expires 2026-12-08 00:08:03Z: its card was not delivered (DingTalk API error 403); decide with scalectl approve|reject shop/checkout-api-1",
            });
            foreach (var policy in body["status"]!["policies"]!.AsArray())
            {
                policy!["metrics"] = new JsonArray(new JsonObject
                {
                    ["name"] = "qps", ["value"] = null, ["predicted"] = null, ["status"] = "Unavailable", ["problem"] = problem,
                });
            }

            await route.FulfillAsync(new() { Response = response, Body = body.ToJsonString() });
        });

        await page.GotoAsync(sandbox.Url);

        await Assertions.Expect(page.Locator("#live")).ToHaveAttributeAsync("data-state", "stale");
        await Assertions.Expect(page.Locator("#live")).ToContainTextAsync("loop stalled · last tick 10m ago");
        await Assertions.Expect(page.Locator("#loop-health")).ToContainTextAsync("The control loop has not ticked for 10m");
        await Assertions.Expect(page.Locator("#metric-health")).ToContainTextAsync($"Metrics without data for {policies.Count} of {policies.Count} policies: qps: {problem}");
        await Assertions.Expect(page.Locator("#metric-health")).ToContainTextAsync("do not scale down");
        await Assertions.Expect(page.Locator("#unseen-health")).ToContainTextAsync("1 proposal waits for approval with no card in the group: shop/checkout-api 4 → 24");
        await Assertions.Expect(page.Locator("#unseen-health")).ToContainTextAsync("its card was not delivered (DingTalk API error 403)");
        var card = page.Locator($"[data-workload='{policies[0].Id}']");
        await Assertions.Expect(card.Locator(".metric-problem")).ToHaveTextAsync($"qps: {problem}");
        await Assertions.Expect(card.Locator(".stat.traffic")).ToContainTextAsync(new System.Text.RegularExpressions.Regex(@"/s · stale \d+[smh]"), new() { Timeout = Patient(10) });
    }

    [Fact]
    public async Task Dashboard_ServerUnreachable_SaysTheNumbersAreOldThenRecovers()
    {
        var page = await sandbox.OpenDashboardAsync(Phone);
        await page.RouteAsync("**/api/v1/dashboard*", route => route.AbortAsync("connectionrefused"));

        await Assertions.Expect(page.Locator("#live")).ToHaveAttributeAsync("data-state", "down", new() { Timeout = Patient(10) });
        await Assertions.Expect(page.Locator("#banner")).ToContainTextAsync(new System.Text.RegularExpressions.Regex(@"^Cannot reach ScaleControl since \d\d:\d\d:\d\d: the numbers below are from then"));
        await Assertions.Expect(page.Locator("[data-workload]").First).ToBeVisibleAsync(); // the last answer stays readable

        await page.UnrouteAllAsync();
        await Assertions.Expect(page.Locator("#live")).ToHaveAttributeAsync("data-state", "live", new() { Timeout = Patient(10) });
        await Assertions.Expect(page.Locator("#banner")).ToBeHiddenAsync();
    }

    private static double Minutes(string axisLabel) => double.Parse(axisLabel.TrimStart('-').TrimEnd('m'), CultureInfo.InvariantCulture);

    internal static BrowserNewContextOptions Phone => new() { ViewportSize = new() { Width = 390, Height = 844 }, IsMobile = true, HasTouch = true };

    /// <summary>A Playwright timeout (ms) of <paramref name="seconds"/> on an idle machine, scaled by the tests' patience.</summary>
    internal static float Patient(double seconds) => (float)Patience.Of(seconds).TotalMilliseconds;

    /// <summary>The newest Applied proposal of <paramref name="policy"/> that <paramref name="user"/> approved, or null.</summary>
    private async Task<JsonNode?> AppliedApprovalAsync(SeededPolicy policy, string user) =>
        (await sandbox.ApiAsync($"/api/v1/proposals?namespace={policy.Namespace}&policy={policy.Name}&phase=Applied"))!.AsArray()
            .FirstOrDefault(p => p!["status"]!["approvals"]!.AsArray().Any(a => a!["user"]!.GetValue<string>() == user));

    /// <summary>What <paramref name="policy"/>'s pending proposal asks on its DingTalk card, once the card was sent.</summary>
    private async Task<CardQuestion?> PendingQuestionAsync(SeededPolicy policy) =>
        (await sandbox.ApiAsync($"/api/v1/proposals?namespace={policy.Namespace}&policy={policy.Name}&phase=Pending"))!.AsArray()
            .Select(p => p!["status"]!["card"]?["outTrackId"]?.GetValue<string>() is { Length: > 0 } id ? new CardQuestion(id, p["spec"]!["toReplicas"]!.GetValue<int>()) : null)
            .FirstOrDefault(q => q is not null);

    /// <summary>A card and the count it asks for (a card updated in place asks a new question).</summary>
    private sealed record CardQuestion(string OutTrackId, int ToReplicas);

    private static async Task<int> ReadyAsync(ILocator card)
    {
        var text = await card.Locator("[data-role='ready']").InnerTextAsync();
        return int.TryParse(text.Trim(), NumberStyles.Integer, CultureInfo.InvariantCulture, out var ready) ? ready : -1;
    }

    /// <param name="explain">What the failure message adds to say why (the state the wait was for), read once at the timeout.</param>
    private static async Task WaitUntilAsync(Func<Task<bool>> condition, TimeSpan timeout, string what, Func<Task<string>>? explain = null)
    {
        using var cts = new CancellationTokenSource(timeout);
        while (!await condition())
        {
            if (cts.IsCancellationRequested)
            {
                var why = explain is null ? "" : $"\n{await explain()}";
                throw new TimeoutException($"timed out after {timeout.TotalSeconds:0}s waiting for {what}{why}");
            }

            await Task.Delay(250);
        }
    }

    public sealed record SeededPolicy(string Namespace, string Name, string Workload, string Mode, string? Group = null)
    {
        public string Id => $"{Namespace}/{Name}";

        public string WorkloadId => $"{Namespace}/{Workload}";
    }

    /// <summary>The server process in sandbox mode (127.0.0.1, free port) and one headless Chromium.</summary>
    public sealed class SandboxInChromium : IAsyncLifetime
    {
        public const string AdminToken = SandboxServer.AdminToken;

        private SandboxServer? _server;
        private IPlaywright? _playwright;
        private IBrowser? _browser;

        public string Url { get; private set; } = "";

        /// <summary>Real kubectl against the sandbox's Kubernetes API: the scale seen from outside.</summary>
        public ScaleControl.Testing.Kubernetes.Kubectl Kubectl => _server!.Kubectl;

        public async Task InitializeAsync()
        {
            // The server's own loop and evaluation cadence (not the quick one of the other end-to-end tests): the
            // hot event's proposal stays put long enough for a person to tap it.
            _server = await SandboxServer.StartAsync(new Dictionary<string, string>
            {
                ["ScaleControl__Loop__StartupDelaySeconds"] = "2",
                ["ScaleControl__Loop__TickSeconds"] = "1",
                ["ScaleControl__Sandbox__EvaluationIntervalSeconds"] = "5",
            });
            Url = _server.BaseUrl.ToString().TrimEnd('/');
            // Playwright's expectations wait 5 s by default; Chromium and the server on a starved CI runner may need longer.
            Assertions.SetDefaultExpectTimeout(Patient(5));
            _playwright = await Playwright.CreateAsync();
            _browser = await _playwright.Chromium.LaunchAsync(new()
            {
                ExecutablePath = "/usr/bin/chromium",
                Headless = true,
                Args = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                    "--disable-component-update", "--disable-sync"],
            });
        }

        public async Task<IPage> NewPageAsync(BrowserNewContextOptions? options = null)
        {
            var context = await _browser!.NewContextAsync(options ?? new() { ViewportSize = new() { Width = 1440, Height = 1000 } });
            return await context.NewPageAsync();
        }

        public async Task<IPage> OpenDashboardAsync(BrowserNewContextOptions? options = null)
        {
            var page = await NewPageAsync(options);
            await page.GotoAsync(Url);
            await Assertions.Expect(page.Locator("#live")).ToHaveAttributeAsync("data-state", "live");
            return page;
        }

        public async Task<IReadOnlyList<SeededPolicy>> PoliciesAsync()
        {
            using var http = new HttpClient { BaseAddress = new Uri(Url) };
            http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", AdminToken);
            var policies = await http.GetFromJsonAsync<JsonArray>("/api/v1/policies") ?? [];
            return [.. policies.Select(p => new SeededPolicy(
                p!["metadata"]!["namespace"]!.GetValue<string>(),
                p["metadata"]!["name"]!.GetValue<string>(),
                p["spec"]!["target"]!["name"]!.GetValue<string>(),
                p["spec"]!["mode"]!.GetValue<string>(),
                p["spec"]!["group"]?.GetValue<string>()))];
        }

        /// <summary>GET (or POST <paramref name="body"/>) as the admin (or <paramref name="token"/>'s owner); the answer's JSON, after a success status.</summary>
        public async Task<JsonNode?> ApiAsync(string path, object? body = null, string token = AdminToken)
        {
            using var http = new HttpClient { BaseAddress = new Uri(Url) };
            http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
            using var response = body is null ? await http.GetAsync(path) : await http.PostAsJsonAsync(path, body);
            var text = await response.Content.ReadAsStringAsync();
            Assert.True(response.IsSuccessStatusCode, $"{path}: {(int)response.StatusCode} {text}");
            return JsonNode.Parse(text);
        }

        /// <summary>Ends every running hot event and rejects (as zhangsan, an approver) what waits in <paramref name="ns"/> until nothing does.</summary>
        public async Task CallOffHotEventsAsync(string ns)
        {
            using var http = new HttpClient { BaseAddress = new Uri(Url) };
            http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", AdminToken);
            foreach (var hot in (await ApiAsync("/sandbox/traffic/hot-events"))!.AsArray())
            {
                if (hot!["phase"]!.GetValue<string>() != "ended")
                {
                    using var ended = await http.DeleteAsync($"/sandbox/traffic/hot-events/{hot["id"]!.GetValue<string>()}");
                    Assert.True(ended.IsSuccessStatusCode, $"ending {hot["id"]}: {(int)ended.StatusCode} {await ended.Content.ReadAsStringAsync()}");
                }
            }

            await WaitUntilAsync(async () =>
            {
                var waiting = (await ApiAsync($"/api/v1/proposals?namespace={ns}&phase=Pending"))!.AsArray();
                foreach (var proposal in waiting)
                {
                    await ApiAsync($"/api/v1/proposals/{ns}/{proposal!["metadata"]!["name"]!.GetValue<string>()}/reject", new { reason = "event called off" }, SandboxServer.OperatorToken);
                }

                return waiting.Count == 0;
            }, Patience.Of(30), $"no proposal waits in {ns}");
        }

        /// <summary>A seeded policy zhangsan may approve (shop, feed or video; Approval or Hybrid) with a card of its own (not in a group).</summary>
        public async Task<SeededPolicy> PolicyNeedingApprovalAsync() =>
            (await PoliciesAsync()).First(p => p.Namespace is "shop" or "feed" or "video" && p.Mode is "Approval" or "Hybrid" && p.Group is null);

        public async Task DisposeAsync()
        {
            if (_browser is not null)
            {
                await _browser.DisposeAsync();
            }

            _playwright?.Dispose();
            if (_server is not null)
            {
                await _server.DisposeAsync();
            }
        }
    }
}
