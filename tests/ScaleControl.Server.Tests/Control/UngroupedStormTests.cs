using System.Net.Http.Json;
using System.Text.Json;
using ScaleControl.Core.Proposals;
using ScaleControl.Server.Tests.Infrastructure;
using Xunit.Abstractions;

namespace ScaleControl.Server.Tests.Control;

/// <summary>
/// A site-wide hot event over 40 Approval policies without <c>spec.group</c>, all in one on-call group, as the group
/// lives it: the cards go to the DingTalk emulator (real HTTP, its limit of 20 calls a second per API on the shared
/// fake clock), the loop ticks every 5 s while traffic ramps 4x over 3 minutes, and nobody taps. Ungrouped policies
/// are a card each (spec.group is what makes them one); what must hold is that every card arrives once, ends showing
/// its proposal, that the people are DINGed once for them all (the cards fall due in the same pass: one DING naming
/// them, not 40 phone calls), and that a throttled call never turns into a message in the group.
/// </summary>
public sealed class UngroupedStormTests(ITestOutputHelper output) : ServerWithDingTalk
{
    private const int Policies = 40;

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        // A retry would wait on the fake clock, which no tick advances: a throttled call fails at once, and the
        // product's own recovery on later ticks (what is left when DingTalk's throttle outlasts the retries) brings it through.
        Server.Settings["ScaleControl:DingTalk:MaxRetryAttempts"] = "0";
    }

    [Fact]
    public async Task FortyUngroupedPoliciesSpikeAtOnce_EveryCardOnceUpToDate_OneDingForAll_NoReminderFlood()
    {
        var names = Enumerable.Range(0, Policies).Select(i => $"svc-{i:00}").ToList();
        foreach (var name in names)
        {
            Server.Workloads.Add("shop", name, 4);
            await Server.Policies.UpsertAsync(TestPolicies.Approval("shop", name), default);
        }

        _ = Server.Services; // starts the server and its Stream client
        await Emulator.WaitForStreamAsync();
        var lastCardAt = -1;
        var updatesPerMinute = new List<int>();
        var updatesBefore = 0;
        for (var second = 0; second <= 10 * 60; second += 5)
        {
            var qps = 400 * (1 + (3 * Math.Min(second, 180) / 180.0)); // 4 → 16 pods' worth over 3 minutes
            foreach (var name in names)
            {
                Server.Metrics.Set(TestPolicies.Query(name), qps);
            }

            await Tick(second == 0 ? 0 : 5);
            if (lastCardAt < 0 && (await ApprovalCardsAsync()).Length == Policies)
            {
                lastCardAt = second;
            }

            if (second % 60 == 55)
            {
                var updates = Calls("PUT /sandbox/dingtalk/v1.0/card/instances -> 200");
                updatesPerMinute.Add(updates - updatesBefore);
                updatesBefore = updates;
            }
        }

        var cards = await AllCardsAsync();
        var dings = (await Emulator.Script.GetFromJsonAsync<JsonElement[]>("messages?kind=Ding"))!;
        var groupMessages = (await Emulator.Script.GetFromJsonAsync<JsonElement[]>("messages?kind=GroupMessage"))!;
        var proposals = await Server.Proposals.ListAsync("shop", default);
        output.WriteLine($"cards {cards.Length} (approval {(await ApprovalCardsAsync()).Length}), all visible at +{lastCardAt} s, DINGs {dings.Length}, "
            + $"group messages {groupMessages.Length}, notices {Server.Notices.Published.Count}, card updates a minute [{string.Join(", ", updatesPerMinute)}], "
            + $"throttled: creates {Calls("createAndDeliver -> 403")}, updates {Calls("PUT /sandbox/dingtalk/v1.0/card/instances -> 403")}, DINGs {Calls("ding/send -> 403")}");

        // Every proposal's card arrived once; nothing else was posted (no reminder card, no group message, no notice).
        Assert.Equal(Policies, proposals.Count);
        Assert.All(proposals, p => Assert.Equal(ProposalPhase.Pending, p.Status.Phase));
        Assert.Equal(proposals.Select(p => $"shop.{p.Metadata.Name}").Order(StringComparer.Ordinal), cards.Select(c => c.GetProperty("outTrackId").GetString()).Order(StringComparer.Ordinal));
        Assert.Empty(groupMessages);
        Assert.Empty(Server.Notices.Published);
        // Each card ends showing its proposal's latest target (the throttled amendments came through later).
        foreach (var p in proposals)
        {
            Assert.Null(p.Status.Card!.Error);
            var title = (await Emulator.CardAsync($"shop.{p.Metadata.Name}")).GetProperty("cardData").GetProperty("title").GetString();
            Assert.Contains($"4 → {p.Spec.ToReplicas} ", title, StringComparison.Ordinal);
        }

        // One DING for the 40 cards, through DING itself, naming the first few; every proposal holds its record.
        var ding = Assert.Single(dings);
        Assert.StartsWith($"Scale approvals pending: {Policies} cards: shop/svc-", ding.GetProperty("text").GetString(), StringComparison.Ordinal);
        Assert.Contains($", and {Policies - 5} more, first expires ", ding.GetProperty("text").GetString(), StringComparison.Ordinal);
        Assert.All(proposals, p => Assert.Equal(DingTalk.Cards.DingEscalation.ViaDing, Assert.Single(p.Status.Escalations).Via));
        Assert.All(proposals, p => Assert.EndsWith($" for {Policies} cards", p.Status.Escalations[0].Message, StringComparison.Ordinal));
        Assert.InRange(lastCardAt, 0, 60);

        // Nobody decided: at the expiry each card says so in place, and no message per card joins them in the group.
        await Tick(5 * 60);
        await Tick(60);
        var expired = (await Server.Proposals.ListAsync("shop", default)).Where(p => p.Status.Phase == ProposalPhase.Expired).ToList();
        Assert.Equal(Policies, expired.Count);
        Assert.Empty(Server.Notices.Published);
        foreach (var p in expired)
        {
            Assert.Equal("expired", await StatusOnCardAsync($"shop.{p.Metadata.Name}"));
        }
    }

    private int Calls(string what) => Server.Logs.Lines.Count(l => l.Contains(what, StringComparison.Ordinal));

    private async Task<JsonElement[]> AllCardsAsync() => (await Emulator.Script.GetFromJsonAsync<JsonElement[]>("cards"))!;

    private async Task<JsonElement[]> ApprovalCardsAsync() =>
        [.. (await AllCardsAsync()).Where(c => c.GetProperty("outTrackId").GetString()!.StartsWith("shop.", StringComparison.Ordinal))];
}
