using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Playwright;
using ScaleControl.Testing.Server;
using static ScaleControl.EndToEnd.Tests.DashboardBrowserTests;

namespace ScaleControl.EndToEnd.Tests;

/// <summary>
/// The page for one proposal (<c>/proposals/NS/NAME</c>, the DingTalk card's "View details") in Debian's Chromium at a
/// phone's size, against the real server in sandbox mode: an open proposal with how to decide it, the same page
/// following it to Applied, a rejected one reached from the dashboard, one that is not there, and an API that fails.
/// Proposals come from pins asked for by admin, who is not on the roster: they wait for an approver (the loop does not
/// supersede them), so nothing here depends on traffic. Its own sandbox: the pins must not touch the dashboard's tests.
/// </summary>
public sealed class ProposalPageBrowserTests(SandboxInChromium sandbox) : IClassFixture<SandboxInChromium>
{
    [Fact]
    public async Task OpenProposal_SaysWhoAskedAndHowToDecide_ThenFollowsItToApplied()
    {
        var (id, from, to) = await PinAsync("shop", "checkout-api", reason: "<b>launch</b> & friends");
        var page = await sandbox.NewPageAsync(Phone);

        await page.GotoAsync($"{sandbox.Url}/proposals/{id}");

        await Assertions.Expect(page.Locator("#phase")).ToHaveTextAsync("Pending");
        await Assertions.Expect(page.Locator("#workload")).ToHaveTextAsync("Deployment shop/checkout-api");
        await Assertions.Expect(page.Locator("#step")).ToHaveTextAsync($"{from}→{to} replicas");
        await Assertions.Expect(page.Locator("#phase-line")).ToContainTextAsync("Waiting for approval (0/1), expires ");
        await Assertions.Expect(page.Locator("[data-fact='Requested By'] dd")).ToHaveTextAsync("admin");
        await Assertions.Expect(page.Locator("[data-fact='Approvers'] dd")).ToHaveTextAsync("zhangsan, lisi");
        await Assertions.Expect(page.Locator("[data-fact^='Escalat'] dd")).ToContainTextAsync("DING"); // due, or sent on a slow run
        await Assertions.Expect(page.Locator("[data-fact='Cost'] dd")).ToContainTextAsync($"+{to - from} pods");
        // What a person typed is shown as typed: text, never markup.
        await Assertions.Expect(page.Locator("[data-fact='Action'] dd")).ToHaveTextAsync("a pin for 10m: <b>launch</b> & friends");
        await Assertions.Expect(page.Locator("#proposal b")).ToHaveCountAsync(2); // the two of the page's own "Approve or Reject"
        await Assertions.Expect(page.Locator("#act")).ToBeVisibleAsync();
        await Assertions.Expect(page.Locator("#act-commands li")).ToHaveTextAsync([$"scalectl approve {id}", $"scalectl reject {id} --reason \"…\""]);
        await Assertions.Expect(page.Locator("#history li")).ToHaveCountAsync(1);
        await Assertions.Expect(page.Locator("#history li")).ToContainTextAsync("created Pending");
        await Assertions.Expect(page.Locator("#describe-command")).ToHaveTextAsync($"scalectl describe proposal {id}");
        await AssertNothingScrollsSidewaysAsync(page);
        await page.ScreenshotAsync(new() { Path = Path.Combine(Path.GetTempPath(), "scalecontrol-proposal-pending.png"), FullPage = true });

        // zhangsan, on the roster, approves through the API: the open page follows it without a reload.
        await sandbox.ApiAsync($"/api/v1/proposals/{id}/approve", new { }, SandboxServer.OperatorToken);

        await Assertions.Expect(page.Locator("#phase")).ToHaveTextAsync("Applied", new() { Timeout = Patient(15) });
        await Assertions.Expect(page.Locator("#phase-line")).ToContainTextAsync($"Applied {from} → {to} at ");
        await Assertions.Expect(page.Locator("#phase-line")).ToContainTextAsync("approved by zhangsan via Api");
        await Assertions.Expect(page.Locator("#act")).ToBeHiddenAsync();

        // The link tapped later, on a fresh page: the same facts, as `scalectl describe proposal` words them.
        var later = await sandbox.NewPageAsync(Phone);
        await later.GotoAsync($"{sandbox.Url}/proposals/{id}");
        await Assertions.Expect(later.Locator("#phase")).ToHaveTextAsync("Applied");
        await Assertions.Expect(later.Locator("[data-fact='Approved'] dd")).ToHaveTextAsync(new System.Text.RegularExpressions.Regex($"^by zhangsan via Api at {Time} \\({to} replicas\\)$"));
        await Assertions.Expect(later.Locator("[data-fact='Applied'] dd")).ToContainTextAsync($"{to} replicas at ");
        await Assertions.Expect(later.Locator("[data-fact='Approvals'] dd")).ToHaveTextAsync("1/1 zhangsan");
        await Assertions.Expect(later.Locator("#history li .kind")).ToHaveTextAsync(["created Pending", "Pending → Approved", "Approved → Applying", "Applying → Applied"]);
        await Assertions.Expect(later.Locator("#history li").Nth(1)).ToContainTextAsync("by zhangsan");
        await AssertNothingScrollsSidewaysAsync(later);
        await later.ScreenshotAsync(new() { Path = Path.Combine(Path.GetTempPath(), "scalecontrol-proposal-applied.png"), FullPage = true });
    }

    [Fact]
    public async Task Dashboard_OpenProposalLinksToItsPage_WhichSaysWhoRejectedIt()
    {
        var (id, _, _) = await PinAsync("feed", "feed-service", reason: "details link");
        var dashboard = await sandbox.OpenDashboardAsync(Phone);

        await dashboard.Locator($"#proposals .proposal[data-proposal='{id}'] a.details").ClickAsync();

        // The navigation, not the page's load event (a loaded machine took over 30 s to fire it once): the text is awaited next.
        await dashboard.WaitForURLAsync($"{sandbox.Url}/proposals/{id}", new() { WaitUntil = WaitUntilState.Commit, Timeout = Patient(30) });
        await Assertions.Expect(dashboard.Locator("#phase")).ToHaveTextAsync("Pending", new() { Timeout = Patient(30) });
        await sandbox.ApiAsync($"/api/v1/proposals/{id}/reject", new { reason = "withdrawn" });
        await Assertions.Expect(dashboard.Locator("#phase")).ToHaveTextAsync("Rejected", new() { Timeout = Patient(10) });
        await Assertions.Expect(dashboard.Locator("#phase-line")).ToHaveTextAsync("Rejected by admin: withdrawn; no change.");
        await Assertions.Expect(dashboard.Locator("[data-fact='Rejected'] dd")).ToContainTextAsync("by admin via Api at ");
        await Assertions.Expect(dashboard.Locator("#act")).ToBeHiddenAsync();
    }

    [Fact]
    public async Task HandWrittenApprovalAndRejection_MarkedUnverified_InTheHistorysWords()
    {
        var (id, _, to) = await PinAsync("feed", "feed-gateway", reason: "forged");
        var (ns, name) = (id.Split('/')[0], id.Split('/')[1]);
        var at = DateTimeOffset.UtcNow.ToString("O", CultureInfo.InvariantCulture);
        // Whoever may edit ScaleProposals' status writes an approval and a "no" in approvers' names.
        var status = new JsonObject
        {
            ["status"] = new JsonObject
            {
                ["phase"] = "Rejected",
                ["approvals"] = new JsonArray(new JsonObject { ["user"] = "zhangsan", ["channel"] = "DingTalk", ["at"] = at, ["replicas"] = to }),
                ["rejection"] = new JsonObject { ["user"] = "lisi", ["channel"] = "DingTalk", ["at"] = at, ["reason"] = "storm" },
            },
        }.ToJsonString();
        await sandbox.Kubectl.RunAsync("patch", "scaleproposal", name, "-n", ns, "--subresource=status", "--type=merge", "-p", status);
        var page = await sandbox.NewPageAsync(Phone);

        await page.GotoAsync($"{sandbox.Url}/proposals/{id}");

        const string Unsigned = "no signature: not recorded by ScaleControl, written by hand";
        await Assertions.Expect(page.Locator("#phase")).ToHaveTextAsync("Rejected", new() { Timeout = Patient(10) });
        await Assertions.Expect(page.Locator("#phase-line")).ToHaveTextAsync(
            $"Rejected by lisi (unverified: {Unsigned} (or before rejections were sealed)): storm; no change.");
        await Assertions.Expect(page.Locator("[data-fact='Approved'] dd")).ToContainTextAsync($"by zhangsan (unverified: {Unsigned}) via DingTalk at ");
        await Assertions.Expect(page.Locator("[data-fact='Rejected'] dd")).ToContainTextAsync($"by lisi (unverified: {Unsigned} (or before rejections were sealed)) via DingTalk at ");
        await AssertNothingScrollsSidewaysAsync(page);
    }

    [Fact]
    public async Task MissingProposal_SaysNotFoundAndThatRetentionMayHavePrunedIt()
    {
        var page = await sandbox.NewPageAsync(Phone);

        await page.GotoAsync($"{sandbox.Url}/proposals/shop/checkout-api-20200101-000000-dead");

        await Assertions.Expect(page.Locator("#missing h1")).ToHaveTextAsync("Proposal not found");
        await Assertions.Expect(page.Locator("#missing-text")).ToHaveTextAsync(
            "There is no proposal shop/checkout-api-20200101-000000-dead: it may have been pruned by retention after it finished, or the link is mistyped.");
        await Assertions.Expect(page.Locator("#missing-command")).ToHaveTextAsync("scalectl get proposals -n shop");
        await Assertions.Expect(page.Locator("#proposal")).ToBeHiddenAsync();
        await Assertions.Expect(page.Locator("#loading")).ToBeHiddenAsync();
        await AssertNothingScrollsSidewaysAsync(page);
    }

    [Fact]
    public async Task ApiFails_SaysSoWithTheServersWords()
    {
        var page = await sandbox.NewPageAsync(Phone);
        await page.RouteAsync("**/api/v1/proposals/**", route => route.FulfillAsync(new()
        {
            Status = 503, ContentType = "application/problem+json", Body = """{"title":"Service Unavailable","status":503,"detail":"the proposal cache is not synced yet"}""",
        }));

        await page.GotoAsync($"{sandbox.Url}/proposals/shop/checkout-api-20261205-220717-555f");

        await Assertions.Expect(page.Locator("#banner")).ToHaveTextAsync(
            "Could not load proposal shop/checkout-api-20261205-220717-555f: the proposal cache is not synced yet (HTTP 503).");
        await Assertions.Expect(page.Locator("#live")).ToHaveAttributeAsync("data-state", "down");
        await Assertions.Expect(page.Locator("#missing")).ToBeHiddenAsync();
    }

    [Fact]
    public async Task ClusterToken_AskedForThenKept()
    {
        // Play a cluster: the sandbox's demo token is refused; only clusterToken is accepted (the real answer, fetched as admin).
        const string clusterToken = "cluster-viewer-token";
        var (id, _, _) = await PinAsync("feed", "feed-api", reason: "token");
        var page = await sandbox.NewPageAsync(Phone);
        await page.RouteAsync("**/api/v1/proposals/**", async route =>
        {
            if (route.Request.Headers.GetValueOrDefault("authorization") != $"Bearer {clusterToken}")
            {
                await route.FulfillAsync(new() { Status = 401, ContentType = "application/problem+json", Body = """{"title":"Unauthorized","status":401}""" });
                return;
            }

            var headers = new Dictionary<string, string>(route.Request.Headers) { ["authorization"] = $"Bearer {SandboxInChromium.AdminToken}" };
            await route.ContinueAsync(new() { Headers = headers });
        });

        await page.GotoAsync($"{sandbox.Url}/proposals/{id}");
        await Assertions.Expect(page.Locator("#signin")).ToBeVisibleAsync();
        await page.FillAsync("#signin-token", "wrong");
        await page.ClickAsync("#signin button[type=submit]");
        await Assertions.Expect(page.Locator("#signin-error")).ToHaveTextAsync("This token is not accepted.");
        await page.FillAsync("#signin-token", clusterToken);
        await page.ClickAsync("#signin button[type=submit]");

        await Assertions.Expect(page.Locator("#phase")).ToHaveTextAsync("Pending");
        await Assertions.Expect(page.Locator("#signin")).ToBeHiddenAsync();
        Assert.Equal(clusterToken, await page.EvaluateAsync<string>("localStorage.getItem('scalecontrol.token')"));
        await sandbox.ApiAsync($"/api/v1/proposals/{id}/reject", new { reason = "done" }); // leaves nothing open
    }

    /// <summary>Admin asks for a pin at the current replicas + 2 for 10 minutes: a proposal that waits for an approver.</summary>
    private async Task<(string Id, int From, int To)> PinAsync(string ns, string workload, string reason)
    {
        var current = int.Parse((await sandbox.Kubectl.RunAsync("get", "deployment", workload, "-n", ns, "-o", "jsonpath={.spec.replicas}")).StdOut.Trim(), CultureInfo.InvariantCulture);
        var proposal = await sandbox.ApiAsync($"/api/v1/workloads/{ns}/{workload}/pin", new { replicas = current + 2, durationSeconds = 600, reason });
        Assert.Equal("Pending", proposal!["status"]!["phase"]!.GetValue<string>());
        return ($"{ns}/{proposal["metadata"]!["name"]}", proposal["spec"]!["fromReplicas"]!.GetValue<int>(), proposal["spec"]!["toReplicas"]!.GetValue<int>());
    }

    /// <summary>A time as the page writes it: "22:07:17" today, "2026-12-04 23:59" before (a test that runs over midnight).</summary>
    private const string Time = @"(\d\d:\d\d:\d\d|\d{4}-\d\d-\d\d \d\d:\d\d)";

    private static async Task AssertNothingScrollsSidewaysAsync(IPage page)
    {
        var layout = await page.EvaluateAsync<JsonElement>("""
            () => ({
              width: document.documentElement.clientWidth,
              scrollWidth: document.documentElement.scrollWidth,
              outside: [...document.querySelectorAll('body *')]
                .filter(e => e.getBoundingClientRect().width > 0 && e.getBoundingClientRect().right > document.documentElement.clientWidth + 1)
                .map(e => e.tagName + '#' + e.id + '.' + (e.className.baseVal ?? e.className)),
            })
            """);
        Assert.True(layout.GetProperty("scrollWidth").GetInt32() <= layout.GetProperty("width").GetInt32(), layout.ToString());
        Assert.Empty(layout.GetProperty("outside").EnumerateArray());
    }
}
