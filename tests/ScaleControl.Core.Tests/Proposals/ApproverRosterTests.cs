using ScaleControl.Core.Policies;
using ScaleControl.Core.Proposals;
using static ScaleControl.Core.Tests.Proposals.ProposalFixtures;

namespace ScaleControl.Core.Tests.Proposals;

/// <summary>
/// Who a waiting card calls: the policy's roster as it is now. An approver added since the card was sent is called once
/// (its card's own @-mentions went out with its delivery); one dropped since is not called again.
/// </summary>
public class ApproverRosterTests
{
    private static readonly DateTimeOffset Now = T0.AddMinutes(1);

    [Fact]
    public void RosterEditedSinceTheCardWasSent_NowIsThePolicysRoster()
    {
        var proposal = Delivered(); // sent to alice, bob, chen

        Assert.Equal(["alice", "dan"], ApproverRoster.Now(proposal, Policy(approvers: ["alice", "dan"])));
    }

    [Fact]
    public void PolicyGoneUnreadableOrRetargeted_NowIsTheProposalsOwnList()
    {
        var proposal = Delivered();
        var edited = Policy(approvers: ["dan"]);

        Assert.Equal(["alice", "bob", "chen"], ApproverRoster.Now(proposal, null));
        Assert.Equal(["alice", "bob", "chen"], ApproverRoster.Now(proposal, edited with { Unreadable = "bad yaml" }));
        Assert.Equal(["alice", "bob", "chen"], ApproverRoster.Now(proposal, TestPolicies.WithSpec(edited, s => s with { Target = s.Target with { Name = "other" } })));
    }

    [Fact]
    public void AddedApprover_NotYetMentioned_UntilRecorded()
    {
        var proposal = Delivered();

        Assert.Equal(["dan"], ApproverRoster.NotYetMentioned(proposal, Policy(approvers: ["alice", "dan"])));
        var mentioned = ProposalLifecycle.WithRosterMentions(proposal, ["dan"], Now)!;
        Assert.Empty(ApproverRoster.NotYetMentioned(mentioned, Policy(approvers: ["alice", "dan"])));
        Assert.Equal(["erin"], ApproverRoster.NotYetMentioned(mentioned, Policy(approvers: ["dan", "erin"])));
    }

    [Fact]
    public void RecordingTwice_KeepsOneRecordPerApprover()
    {
        var once = ProposalLifecycle.WithRosterMentions(Delivered(), ["dan"], Now)!;

        Assert.Null(ProposalLifecycle.WithRosterMentions(once, ["dan"], Now.AddSeconds(5)));
        Assert.Equal(["dan", "erin"], ProposalLifecycle.WithRosterMentions(once, ["dan", "erin"], Now)!.Status.RosterMentions.Select(m => m.User));
    }

    [Fact]
    public void NoDeliveredCardOrNotWaiting_NobodyToMention()
    {
        var undelivered = Pending(Policy());
        var failed = WithCard(Delivered(), new CardReference { OutTrackId = "x", OpenConversationId = "cid", SentAt = T0, Error = "refused" });
        var decided = Delivered() with { Status = Delivered().Status with { Phase = ProposalPhase.Rejected } };

        Assert.Empty(ApproverRoster.NotYetMentioned(undelivered, Policy(approvers: ["dan"])));
        Assert.Empty(ApproverRoster.NotYetMentioned(failed, Policy(approvers: ["dan"])));
        Assert.Empty(ApproverRoster.NotYetMentioned(decided, Policy(approvers: ["dan"])));
        Assert.Empty(ApproverRoster.Dropped(decided, Policy(approvers: ["dan"])));
        Assert.Null(ProposalLifecycle.WithRosterMentions(decided, ["dan"], Now));
    }

    [Fact]
    public void AutomaticStepsCard_CallsNobody()
    {
        var auto = ProposalFactory.FromDecision(Policy(), Decision(), Workload(), T0, ProposalFactory.Action.Auto);

        Assert.Empty(ApproverRoster.NotYetMentioned(WithCard(auto, Card()), Policy(approvers: ["dan"])));
        Assert.Empty(ApproverRoster.Dropped(WithCard(auto, Card()), Policy(approvers: ["dan"])));
    }

    [Fact]
    public void ApproverDropped_TheCardNoLongerCallsThem_RecordedOnce()
    {
        var proposal = Delivered(); // sent to alice, bob, chen
        var edited = Policy(approvers: ["alice", "chen"]);

        Assert.Equal(["bob"], ApproverRoster.Dropped(proposal, edited));
        var dropped = ProposalLifecycle.WithRosterDrops(proposal, ["bob"], Now)!;
        Assert.Equal(["alice", "chen"], ApproverRoster.Called(dropped));
        Assert.Empty(ApproverRoster.Dropped(dropped, edited));
        Assert.Null(ProposalLifecycle.WithRosterDrops(dropped, ["bob"], Now.AddSeconds(5)));
        Assert.NotEqual(CardState.Of(proposal), CardState.Of(dropped)); // the card is stale: its on-call line is rendered again
    }

    [Fact]
    public void AddedThenDropped_AndDroppedThenAddedBack_TheLatestRecordStands()
    {
        var mentioned = ProposalLifecycle.WithRosterMentions(Delivered(), ["dan"], Now)!;
        var dropped = ProposalLifecycle.WithRosterDrops(mentioned, ApproverRoster.Dropped(mentioned, Policy(approvers: ["alice"])), Now)!;
        Assert.Equal(["alice"], ApproverRoster.Called(dropped));

        // bob is back on the roster: the card never called him since he was dropped, so he is @-mentioned again.
        Assert.Equal(["bob"], ApproverRoster.NotYetMentioned(dropped, Policy(approvers: ["alice", "bob"])));
        var back = ProposalLifecycle.WithRosterMentions(dropped, ["bob"], Now.AddMinutes(1))!;
        Assert.Equal(["alice", "bob"], ApproverRoster.Called(back));
    }

    [Fact]
    public void PolicyGoneUnreadableOrRetargeted_NobodyCountsAsDropped()
    {
        var proposal = Delivered();
        var edited = Policy(approvers: ["dan"]);

        Assert.Empty(ApproverRoster.Dropped(proposal, null));
        Assert.Empty(ApproverRoster.Dropped(proposal, edited with { Unreadable = "bad yaml" }));
        Assert.Empty(ApproverRoster.Dropped(proposal, TestPolicies.WithSpec(edited, s => s with { Target = s.Target with { Name = "other" } })));
        Assert.Empty(ApproverRoster.NotYetMentioned(proposal, null));
    }

    private static ScaleProposal Delivered() => WithCard(Pending(Policy()), Card());

    private static CardReference Card() => new() { OutTrackId = "shop.p1", OpenConversationId = "cidOnCall==", SentAt = T0 };

    private static ScaleProposal WithCard(ScaleProposal proposal, CardReference card) => ProposalLifecycle.WithCard(proposal, card);
}
