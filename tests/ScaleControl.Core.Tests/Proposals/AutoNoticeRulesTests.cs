using ScaleControl.Core.Policies;
using ScaleControl.Core.Proposals;
using static ScaleControl.Core.Tests.Proposals.ProposalFixtures;

namespace ScaleControl.Core.Tests.Proposals;

/// <summary>
/// One living card per burst of automatic steps: a hot event ramps shop/checkout-api 4 → 7 → 12 → 15 and the group
/// sees one card, not one message per step.
/// </summary>
public class AutoNoticeRulesTests
{
    private const string Group = "cidOnCall==";
    private static readonly TimeSpan Window = AutoNoticeRules.DefaultWindow;

    private static ScaleProposal Step(int from, int to, DateTimeOffset at, string name, CardReference? card = null, string? workload = null, string? policyGroup = null)
    {
        var policy = Policy();
        policy = policy with { Spec = policy.Spec with { Mode = ScaleMode.Auto, Group = policyGroup, Target = policy.Spec.Target with { Name = workload ?? policy.Spec.Target.Name } } };
        var step = ProposalFactory.FromDecision(policy, Decision(from, to), Workload(from), at, ProposalFactory.Action.Auto);
        return step with
        {
            Metadata = step.Metadata with { Name = name },
            Status = step.Status with { Phase = ProposalPhase.Applied, AppliedReplicas = to, AppliedAt = at, Card = card },
        };
    }

    private static CardReference Card(string id, string group = Group) => new() { OutTrackId = id, OpenConversationId = group, ShownState = "shown" };

    private static CardReference Failed(string id, string error = "DingTalk unreachable") => new() { OutTrackId = id, OpenConversationId = Group, Error = error };

    [Fact]
    public void CardToJoin_NextStepOfTheBurst_JoinsThePreviousStepsCard()
    {
        var first = Step(4, 7, T0, "a", Card("shop.a"));
        var second = Step(7, 12, T0.AddMinutes(1), "b", Card("shop.a"));
        var next = Step(12, 15, T0.AddMinutes(2), "c");

        var card = AutoNoticeRules.CardToJoin(next, [first, second], Group, T0.AddMinutes(2), Window);

        Assert.NotNull(card);
        Assert.Equal(("shop.a", Group, null), (card.OutTrackId, card.OpenConversationId, card.ShownState)); // the new row is not shown yet
    }

    [Fact]
    public void CardToJoin_AfterAQuietSpell_OrAnotherGroup_OrAnotherWorkload_StartsANewCard()
    {
        var old = Step(4, 7, T0, "a", Card("shop.a"));

        Assert.Null(AutoNoticeRules.CardToJoin(Step(7, 5, T0.AddMinutes(31), "b"), [old], Group, T0.AddMinutes(31), Window));
        Assert.NotNull(AutoNoticeRules.CardToJoin(Step(7, 5, T0.AddMinutes(30), "b"), [old], Group, T0.AddMinutes(30), Window));
        Assert.Null(AutoNoticeRules.CardToJoin(Step(7, 9, T0.AddMinutes(1), "b"), [old], "cidOther==", T0.AddMinutes(1), Window));
        Assert.Null(AutoNoticeRules.CardToJoin(Step(2, 3, T0.AddMinutes(1), "b", workload: "payments"), [old], Group, T0.AddMinutes(1), Window));
        Assert.Null(AutoNoticeRules.CardToJoin(Step(7, 9, T0.AddMinutes(1), "b"), [old], null, T0.AddMinutes(1), Window)); // notices not routed to a group
        Assert.Null(AutoNoticeRules.CardToJoin(Step(7, 9, T0.AddMinutes(1), "b"), [Step(4, 7, T0, "a", Card("shop.a") with { Error = "refused" })], Group, T0.AddMinutes(1), Window));
    }

    [Fact]
    public void CardToJoin_AServiceOfTheSamePolicyGroup_JoinsTheChainsCard()
    {
        var gateway = Step(2, 6, T0, "g", Card("feed.g"), workload: "feed-gateway", policyGroup: "feed-chain");

        var api = AutoNoticeRules.CardToJoin(Step(2, 5, T0.AddSeconds(10), "a", workload: "feed-api", policyGroup: "feed-chain"), [gateway], Group, T0.AddSeconds(10), Window);
        var alone = AutoNoticeRules.CardToJoin(Step(2, 5, T0.AddSeconds(10), "a", workload: "feed-api"), [gateway], Group, T0.AddSeconds(10), Window);

        Assert.Equal("feed.g", api?.OutTrackId);
        Assert.Null(alone);
    }

    [Fact]
    public void CardToJoin_AFullCard_StartsANewOne()
    {
        var steps = Enumerable.Range(0, AutoNoticeRules.MaxStepsPerCard).Select(i => Step(4 + i, 5 + i, T0.AddMinutes(i), $"s{i}", Card("shop.s0"))).ToList();

        Assert.Null(AutoNoticeRules.CardToJoin(Step(20, 21, T0.AddMinutes(20), "n"), steps, Group, T0.AddMinutes(20), Window));
        Assert.NotNull(AutoNoticeRules.CardToJoin(Step(20, 21, T0.AddMinutes(20), "n"), steps.Skip(1).ToList(), Group, T0.AddMinutes(20), Window));
    }

    [Fact]
    public void UndeliveredBurst_StepsWhoseCardsFailed_OneBurstOldestFirst_OtherWorkloadsApart()
    {
        var a = Step(4, 7, T0, "a", Failed("shop.a"));
        var b = Step(7, 12, T0.AddMinutes(1), "b", Failed("shop.b"));
        var c = Step(12, 15, T0.AddMinutes(2), "c", Failed("shop.c", "no card: DingTalk has none under this proposal's id"));
        var other = Step(2, 3, T0.AddMinutes(1), "o", Failed("shop.o"), workload: "payments");

        var burst = AutoNoticeRules.UndeliveredBurst(b, [c, other, a, b], Group, T0.AddMinutes(3), Window);

        Assert.Equal(["a", "b", "c"], burst.Select(s => s.Metadata.Name));
        Assert.Equal(["o"], AutoNoticeRules.UndeliveredBurst(other, [c, other, a, b], Group, T0.AddMinutes(3), Window).Select(s => s.Metadata.Name));
    }

    [Fact]
    public void UndeliveredBurst_AServiceOfTheSamePolicyGroup_IsOnTheChainsCard()
    {
        var gateway = Step(2, 6, T0, "g", Failed("feed.g"), workload: "feed-gateway", policyGroup: "feed-chain");
        var api = Step(2, 5, T0.AddSeconds(10), "a", Failed("feed.a"), workload: "feed-api", policyGroup: "feed-chain");

        Assert.Equal(["g", "a"], AutoNoticeRules.UndeliveredBurst(api, [api, gateway], Group, T0.AddMinutes(1), Window).Select(s => s.Metadata.Name));
    }

    [Fact]
    public void UndeliveredBurst_ANewerStepHasADeliveredCard_ItIsTheBurstsCard_OnlyStepsAfterItAreDelivered()
    {
        var a = Step(4, 7, T0, "a", Failed("shop.a"));
        var b = Step(7, 12, T0.AddMinutes(1), "b", Card("shop.b"));
        var c = Step(12, 15, T0.AddMinutes(2), "c", Failed("shop.c"));

        Assert.Empty(AutoNoticeRules.UndeliveredBurst(a, [a, b], Group, T0.AddMinutes(3), Window));
        Assert.Equal(["c"], AutoNoticeRules.UndeliveredBurst(a, [a, b, c], Group, T0.AddMinutes(3), Window).Select(s => s.Metadata.Name));
        Assert.Equal(["a"], AutoNoticeRules.UndeliveredBurst(a, [a, Step(7, 12, T0.AddMinutes(1), "b", Card("shop.b", "cidOther=="))], Group, T0.AddMinutes(3), Window).Select(s => s.Metadata.Name));
    }

    [Fact]
    public void UndeliveredBurst_AStepWithoutARecordOfItsCard_WaitsForIt_AFailedStepDoesNot()
    {
        var a = Step(4, 7, T0, "a", Failed("shop.a"));
        var sending = Step(7, 12, T0.AddMinutes(1), "b");
        var applying = sending with { Status = sending.Status with { Phase = ProposalPhase.Applying, AppliedAt = null } };
        var failed = sending with { Status = sending.Status with { Phase = ProposalPhase.Failed, AppliedReplicas = null } };

        Assert.Empty(AutoNoticeRules.UndeliveredBurst(a, [a, sending], Group, T0.AddMinutes(2), Window));
        Assert.Empty(AutoNoticeRules.UndeliveredBurst(a, [a, applying], Group, T0.AddMinutes(2), Window));
        Assert.Equal(["a"], AutoNoticeRules.UndeliveredBurst(a, [a, failed], Group, T0.AddMinutes(2), Window).Select(s => s.Metadata.Name));
    }

    [Fact]
    public void UndeliveredBurst_StepsOlderThanTheWindow_AreNotDelivered_AndACardHoldsAtMostItsMaximum()
    {
        var old = Step(4, 7, T0, "a", Failed("shop.a"));
        var steps = Enumerable.Range(0, AutoNoticeRules.MaxStepsPerCard + 2).Select(i => Step(4 + i, 5 + i, T0.AddMinutes(i), $"s{i:00}", Failed($"shop.s{i}"))).ToList();

        Assert.Empty(AutoNoticeRules.UndeliveredBurst(old, [old], Group, T0 + Window + TimeSpan.FromSeconds(1), Window));
        Assert.Equal(steps.Take(AutoNoticeRules.MaxStepsPerCard), AutoNoticeRules.UndeliveredBurst(steps[0], steps, Group, T0.AddMinutes(20), Window));
    }

    [Fact]
    public void Ramp_StepsOfOneWorkload_ReadAsOneLine_SkippingFailedSteps()
    {
        var failed = Step(12, 30, T0.AddMinutes(2), "f") is var f ? f with { Status = f.Status with { Phase = ProposalPhase.Failed, AppliedReplicas = null } } : null!;

        var ramp = AutoNoticeRules.Ramp([Step(4, 7, T0, "a"), Step(7, 12, T0.AddMinutes(1), "b"), failed, Step(12, 15, T0.AddMinutes(3), "c"), Step(10, 8, T0.AddMinutes(9), "d")]);

        Assert.Equal([4, 7, 12, 15, 10, 8], ramp); // 15 → 10 by hand between the steps shows too
    }
}
