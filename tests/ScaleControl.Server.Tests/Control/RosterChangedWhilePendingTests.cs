using System.Net.Http.Json;
using System.Text.Json;
using ScaleControl.Core.Proposals;
using ScaleControl.Server.Control.Actuation;
using ScaleControl.Server.Control.Loop;
using ScaleControl.Server.Tests.Infrastructure;

namespace ScaleControl.Server.Tests.Control;

/// <summary>
/// The roster is edited while a card waits: lisi dropped, wangwu added (<c>kubectl edit</c>). wangwu may approve the
/// card, so DingTalk must call him: the card's own @-mentions went out with its delivery and an update carries none, so
/// he is @-mentioned once on a reminder card in the group, and the DING goes to the roster as it is now (not to lisi).
/// Through the real adapter and the DingTalk emulator.
/// </summary>
public sealed class RosterChangedWhilePendingTests : ServerWithDingTalk
{
    [Fact]
    public async Task ApproverAddedAfterTheCardWasSent_MentionedOnceInTheGroup_NamedOnTheCard()
    {
        var (pending, outTrackId) = await GivenPendingCardAsync(); // roster zhangsan, lisi
        await EditPolicyAsync(s => s with { Approval = s.Approval! with { Approvers = ["zhangsan", "wangwu"] } });

        await Tick(seconds: 5);

        var reminder = Assert.Single(await RemindersAsync(outTrackId));
        Assert.Equal(["wangwu"], MentionedOn(reminder));
        var data = reminder.GetProperty("cardData");
        Assert.Equal("Added as an approver: shop/checkout-api 4 → 10", data.GetProperty("title").GetString());
        Assert.StartsWith("@wangwu you were added as an approver since this was asked: please decide on the approval card above (sent ", data.GetProperty("result").GetString(), StringComparison.Ordinal);
        Assert.Empty(reminder.GetProperty("buttons").EnumerateArray());
        var stored = await StoredAsync(pending);
        Assert.Equal(["wangwu"], stored.Status.RosterMentions.Where(m => !m.Dropped).Select(m => m.User));
        Assert.Equal("@Zhang San @wangwu", await OnCallLineAsync(outTrackId)); // lisi, dropped, is named no more

        // Once per added approver per proposal: later passes, and a restarted server reading the record, call nobody.
        await Tick(seconds: 5);
        using (var restarted = Server.Restarted())
        {
            restarted.DingTalk = Emulator;
            restarted.Time.Advance(TimeSpan.FromSeconds(5));
            await restarted.Service<Reconciler>().TickAsync(default);
        }

        Assert.Single(await RemindersAsync(outTrackId));
        Assert.Equal(ProposalPhase.Pending, (await StoredAsync(pending)).Status.Phase);
    }

    [Fact]
    public async Task ApproverAddedAfterTheCardWasSent_MentionedThenTaps_Applied()
    {
        var (pending, outTrackId) = await GivenPendingCardAsync();
        await EditPolicyAsync(s => s with { Approval = s.Approval! with { Approvers = ["zhangsan", "wangwu"] } });
        await Tick(seconds: 5);
        Assert.Single(await RemindersAsync(outTrackId));

        var (_, tap) = await Emulator.TapAsync(outTrackId, "wangwu", "approve");
        await Server.Service<BackgroundApplies>().StopAsync(default);

        Assert.Equal("Recorded: approved by wangwu (10 replicas); scaling now", PrivateLine(tap));
        Assert.Equal(10, Server.Workloads.Replicas("shop", "checkout-api"));
        Assert.Equal(ProposalPhase.Applied, (await StoredAsync(pending)).Status.Phase);
    }

    [Fact]
    public async Task NobodyDecides_TheDingGoesToTheRosterAsItIsNow_NotToTheDroppedApprover()
    {
        var (pending, outTrackId) = await GivenPendingCardAsync(); // DING after 120 s
        await EditPolicyAsync(s => s with { Approval = s.Approval! with { Approvers = ["zhangsan", "wangwu"] } });

        await Tick(seconds: 125);

        var ding = Assert.Single(await MessagesAsync("ding"));
        Assert.Equal(["zhangsan", "wangwu"], ding.GetProperty("receivers").EnumerateArray().Select(r => r.GetString()).Order().Reverse());
        Assert.Equal(["zhangsan", "wangwu"], Assert.Single((await StoredAsync(pending)).Status.Escalations).Receivers);
        Assert.Single(await RemindersAsync(outTrackId)); // wangwu's mention: the card was sent before he was on the roster
    }

    [Fact]
    public async Task RosterUnchanged_NoReminder()
    {
        var (_, outTrackId) = await GivenPendingCardAsync();

        await Tick(seconds: 5);
        await Tick(seconds: 5);

        Assert.Empty(await RemindersAsync(outTrackId));
    }

    [Fact]
    public async Task ApproverOnlyDropped_NoReminder_TheCardStopsNamingThem_OnceAndDurably()
    {
        var (pending, outTrackId) = await GivenPendingCardAsync();
        Assert.Equal("@Zhang San @Li Si", await OnCallLineAsync(outTrackId));
        await EditPolicyAsync(s => s with { Approval = s.Approval! with { Approvers = ["zhangsan"] } });

        await Tick(seconds: 5);

        // Before, the card kept calling lisi, who may no longer approve (a tap of his is refused), while the on-call
        // person read it as "Li Si will handle it".
        Assert.Empty(await RemindersAsync(outTrackId));
        Assert.Equal("@Zhang San", await OnCallLineAsync(outTrackId));
        var dropped = Assert.Single((await StoredAsync(pending)).Status.RosterMentions);
        Assert.Equal(("lisi", true), (dropped.User, dropped.Dropped));
        var version = await CardVersionAsync(outTrackId);

        await Tick(seconds: 5);
        Assert.Single((await StoredAsync(pending)).Status.RosterMentions);
        Assert.Equal(version, await CardVersionAsync(outTrackId)); // recorded once: no card update per pass

        // Put back on the roster, he is called again: @-mentioned on a reminder and named on the card.
        await EditPolicyAsync(s => s with { Approval = s.Approval! with { Approvers = ["zhangsan", "lisi"] } });
        await Tick(seconds: 5);
        Assert.Equal(["lisi"], MentionedOn(Assert.Single(await RemindersAsync(outTrackId))));
        Assert.Equal("@Zhang San @Li Si", await OnCallLineAsync(outTrackId));
    }

    private async Task<int> CardVersionAsync(string outTrackId) => (await Emulator.CardAsync(outTrackId)).GetProperty("version").GetInt32();

    private async Task<string?> OnCallLineAsync(string outTrackId) => (await CardDataAsync(outTrackId)).GetProperty("onCall").GetString();

    [Fact]
    public async Task DingTalkThrottledForTheMention_NothingRecorded_TheNextPassSendsIt()
    {
        // A retry would wait on the fake clock, which no tick advances: the busy answer is what the pass sees.
        Server.Settings["ScaleControl:DingTalk:MaxRetryAttempts"] = "0";
        var (pending, outTrackId) = await GivenPendingCardAsync();
        await EditPolicyAsync(s => s with { Approval = s.Approval! with { Approvers = ["zhangsan", "lisi", "wangwu"] } });
        using var busy = await Emulator.Script.PostAsJsonAsync("faults", new { api = "/v1.0/card/instances/createAndDeliver", kind = "SystemBusy", times = 1 });
        busy.EnsureSuccessStatusCode();

        await Tick(seconds: 5);
        Assert.Empty(await RemindersAsync(outTrackId));
        Assert.Empty((await StoredAsync(pending)).Status.RosterMentions);

        await Tick(seconds: 5);
        Assert.Equal(["wangwu"], MentionedOn(Assert.Single(await RemindersAsync(outTrackId))));
        Assert.Equal(["wangwu"], (await StoredAsync(pending)).Status.RosterMentions.Select(m => m.User));
    }

    /// <summary>The cards in the group other than the approval card: the reminders.</summary>
    private async Task<List<JsonElement>> RemindersAsync(string outTrackId) =>
        [.. (await Emulator.Script.GetFromJsonAsync<JsonElement>("cards")).EnumerateArray()
            .Where(c => c.GetProperty("outTrackId").GetString() != outTrackId && c.GetProperty("cardData").GetProperty("status").GetString() == "reminder")];

    private async Task<List<JsonElement>> MessagesAsync(string kind) =>
        [.. (await Emulator.Script.GetFromJsonAsync<JsonElement>($"messages?kind={kind}")).EnumerateArray()];

    private static List<string> MentionedOn(JsonElement card) =>
        [.. card.GetProperty("spaces").EnumerateArray().Single().GetProperty("atUserIds").EnumerateObject().Select(p => p.Name)];
}
