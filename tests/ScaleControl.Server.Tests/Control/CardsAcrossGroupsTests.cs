using System.Net.Http.Json;
using System.Text.Json;
using ScaleControl.Core.Policies;
using ScaleControl.Core.Proposals;
using ScaleControl.Sandbox.DingTalk;
using ScaleControl.Server.Tests.Infrastructure;

namespace ScaleControl.Server.Tests.Control;

/// <summary>
/// A shop policy and a feed policy that send their cards to their teams' on-call groups in the DingTalk emulator (the
/// shop group holds zhangsan and lisi, the feed group lisi and wangwu), over real HTTP: each card lands in its own
/// group only, even when the policies share a <c>spec.group</c>, and each group's card is escalated on its own.
/// </summary>
public sealed class CardsAcrossGroupsTests : ServerWithDingTalk
{
    [Fact]
    public async Task ShopAndFeedCards_EachInItsTeamsGroupOnly_SeenByItsMembers_OneDingPerGroup()
    {
        foreach (var (ns, name, group) in new[] { ("shop", "checkout-api", DingTalkSandboxOptions.ShopGroup), ("feed", "feed-api", DingTalkSandboxOptions.FeedGroup) })
        {
            Server.Workloads.Add(ns, name, 4);
            var policy = TestPolicies.Approval(ns, name);
            // One spec.group for both: a group card is one per on-call group, so they still do not share a card.
            await Server.Policies.UpsertAsync(policy with
            {
                Spec = policy.Spec with
                {
                    Group = "launch",
                    Approval = policy.Spec.Approval! with { OpenConversationId = group },
                    Notifications = new NotificationSpec { OpenConversationId = group },
                },
            }, default);
            Server.Metrics.Set(TestPolicies.Query(name), 1000);
        }

        await Tick();
        await Emulator.WaitForStreamAsync();
        var shop = Assert.Single(await Server.Proposals.ListAsync("shop", default));
        var feed = Assert.Single(await Server.Proposals.ListAsync("feed", default));

        Assert.NotEqual(shop.Status.Card!.OutTrackId, feed.Status.Card!.OutTrackId);
        Assert.Equal([("IM_GROUP", DingTalkSandboxOptions.ShopGroup)], await SpacesAsync(shop.Status.Card.OutTrackId));
        Assert.Equal([("IM_GROUP", DingTalkSandboxOptions.FeedGroup)], await SpacesAsync(feed.Status.Card.OutTrackId));
        // Only a group's members see its card, so only they can tap it: wangwu is not in the shop group, zhangsan not in the feed group.
        Assert.Equal(403, (await Emulator.TapAsync(shop.Status.Card.OutTrackId, "wangwu", "reject")).Status);
        Assert.Equal(403, (await Emulator.TapAsync(feed.Status.Card.OutTrackId, "zhangsan", "approve")).Status);

        await Tick(TestPoliciesEscalation + 1);
        var dings = (await Emulator.Script.GetFromJsonAsync<JsonElement[]>("messages?kind=Ding"))!;

        // The same approvers, two groups: one DING per group's card (its fallback would be a reminder card in that group).
        Assert.Equal(2, dings.Length);
        Assert.Single(dings, d => d.GetProperty("text").GetString()!.Contains("shop/checkout-api", StringComparison.Ordinal));
        Assert.Single(dings, d => d.GetProperty("text").GetString()!.Contains("feed/feed-api", StringComparison.Ordinal));
        Assert.All(dings, d => Assert.Equal(["lisi", "zhangsan"], d.GetProperty("receivers").EnumerateArray().Select(r => r.GetString()).Order()));
        Assert.All(await Server.Proposals.ListAsync(null, default), p => Assert.Single(p.Status.Escalations));
    }

    /// <summary><see cref="TestPolicies.Approval"/>'s escalation delay.</summary>
    private const int TestPoliciesEscalation = 120;

    private async Task<List<(string?, string?)>> SpacesAsync(string outTrackId) =>
        [.. (await Emulator.CardAsync(outTrackId)).GetProperty("spaces").EnumerateArray()
            .Select(s => (s.GetProperty("spaceType").GetString(), s.GetProperty("spaceId").GetString()))];
}
