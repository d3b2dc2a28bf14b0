using ScaleControl.Core.Decisions;
using ScaleControl.Core.Proposals;
using static ScaleControl.Core.Tests.Proposals.ProposalFixtures;

namespace ScaleControl.Core.Tests.Proposals;

public class ProposalApprovalRuleTests
{
    private static readonly DateTimeOffset s_at = T0.AddSeconds(30);

    [Fact]
    public void Create_CopiesDecisionRosterAndTimes()
    {
        var p = Pending();

        Assert.Equal((20, 60, 40), (p.Spec.FromReplicas, p.Spec.ToReplicas, p.Spec.AlternativeReplicas));
        Assert.Equal(["alice", "bob", "chen"], p.Spec.Approvers);
        Assert.Equal(T0.AddSeconds(600), p.Spec.ExpiresAt);
        Assert.Equal(T0.AddSeconds(120), p.Spec.EscalateAt);
        Assert.Equal("42", p.Spec.WorkloadResourceVersion);
        Assert.Equal("checkout-api-20261125-100000", p.Metadata.Name);
        Assert.Equal(ProposalPhase.Pending, p.Status.Phase);
    }

    [Fact]
    public void Approve_ByListedApprover_RecordsWhoChannelWhen()
    {
        var r = ProposalLifecycle.Approve(Pending(), "alice", ApprovalChannel.DingTalk, s_at);

        Assert.True(r.Accepted);
        Assert.Equal(ProposalPhase.Approved, r.Proposal.Status.Phase);
        var a = Assert.Single(r.Proposal.Status.Approvals);
        Assert.Equal(("alice", ApprovalChannel.DingTalk, s_at, 60), (a.User, a.Channel, a.At, a.Replicas));
    }

    [Fact]
    public void Approve_BesideAHandWrittenLowApproval_NamesAndSizesTheStepByTheRecordedOnesAndItself()
    {
        // bob's "40" was written into the status by hand: the host's seal check says it was not recorded.
        var forged = new ApprovalRecord { User = "bob", Channel = ApprovalChannel.DingTalk, At = s_at, Replicas = 40 };
        var pending = Pending() with { Status = Pending().Status with { Approvals = [forged] } };

        var r = ProposalLifecycle.Approve(pending, "alice", ApprovalChannel.DingTalk, s_at, recorded: a => a != forged);

        Assert.Equal(ProposalPhase.Approved, r.Proposal.Status.Phase);
        Assert.Equal("approved by alice (60 replicas)", r.Message);
        Assert.Equal(60, ProposalLifecycle.ApprovedReplicas(r.Proposal, a => a != forged));
    }

    [Fact]
    public void Approve_ByStranger_RefusedAndUnchanged()
    {
        var p = Pending();

        var r = ProposalLifecycle.Approve(p, "mallory", ApprovalChannel.DingTalk, s_at);

        Assert.Equal(TransitionStatus.Refused, r.Status);
        Assert.Equal("mallory is not an approver of this proposal", r.Message);
        Assert.Empty(r.Proposal.Status.Approvals);
    }

    [Fact]
    public void MayDecide_WithTheRosterNow_AnApproverAddedSinceMay_OneDroppedMayNot_TheRequesterMayStillWithdraw()
    {
        var p = Pending(); // sent to alice, bob and chen
        string[] rosterNow = ["alice", "dana"]; // the rota changed while the card waited

        Assert.True(ProposalLifecycle.MayDecide(p, "dana", approve: true, rosterNow));
        Assert.True(ProposalLifecycle.MayDecide(p, "dana", approve: false, rosterNow));
        Assert.False(ProposalLifecycle.MayDecide(p, "bob", approve: true, rosterNow));
        Assert.False(ProposalLifecycle.MayDecide(p, "bob", approve: false, rosterNow));
        Assert.True(ProposalLifecycle.MayDecide(p, "bob", approve: false)); // without it: the list the card was sent to
        Assert.True(ProposalLifecycle.MayDecide(p with { Spec = p.Spec with { RequestedBy = "erin" } }, "erin", approve: false, rosterNow));
    }

    [Fact]
    public void DroppedFromRoster_NamesThePolicyAndWhoMayDecideNow_OnlyForOneTheCardWasSentTo()
    {
        var p = Pending(); // sent to alice, bob and chen

        Assert.Equal("bob is no longer an approver of policy checkout-api (approvers: alice, dana)", ProposalLifecycle.DroppedFromRoster(p, "bob", approve: false, ["alice", "dana"]));
        Assert.Equal("bob is no longer an approver of policy checkout-api (approvers: none)", ProposalLifecycle.DroppedFromRoster(p, "bob", approve: true, []));
        Assert.Null(ProposalLifecycle.DroppedFromRoster(p, "alice", approve: true, ["alice"])); // still on it
        Assert.Null(ProposalLifecycle.DroppedFromRoster(p, "mallory", approve: false, ["alice"])); // never asked: "not an approver"
        Assert.Null(ProposalLifecycle.DroppedFromRoster(p, "bob", approve: true, rosterNow: null)); // roster unknown: the card's list decides
    }

    [Fact]
    public void Reject_ByAnApproverDroppedFromTheRosterNow_RefusedAndUnchanged()
    {
        var r = ProposalLifecycle.Reject(Pending(), "bob", ApprovalChannel.DingTalk, s_at, "no", rosterNow: ["alice"]);

        Assert.Equal(TransitionStatus.Refused, r.Status);
        Assert.Equal("bob is not an approver of this proposal", r.Message);
        Assert.Equal(ProposalPhase.Pending, r.Proposal.Status.Phase);
        Assert.Null(r.Proposal.Status.Rejection);
    }

    [Fact]
    public void Approve_SamePersonTwice_CountsOnce()
    {
        var first = ProposalLifecycle.Approve(Pending(Policy(required: 2)), "alice", ApprovalChannel.DingTalk, s_at);

        var second = ProposalLifecycle.Approve(first.Proposal, "alice", ApprovalChannel.Cli, s_at.AddSeconds(1));

        Assert.Equal(TransitionStatus.Duplicate, second.Status);
        Assert.Equal(ProposalPhase.Pending, second.Proposal.Status.Phase);
        Assert.Single(second.Proposal.Status.Approvals);
        Assert.Equal(Ports.ApprovalResultKind.Duplicate, second.ToApprovalResult().Kind);
    }

    [Fact]
    public void Approve_TwoRequired_PendingUntilSecondPerson()
    {
        var first = ProposalLifecycle.Approve(Pending(Policy(required: 2)), "alice", ApprovalChannel.DingTalk, s_at);
        Assert.True(first.Accepted);
        Assert.Equal(ProposalPhase.Pending, first.Proposal.Status.Phase);
        Assert.Contains("1 more approval(s) needed", first.Message, StringComparison.Ordinal);

        var second = ProposalLifecycle.Approve(first.Proposal, "bob", ApprovalChannel.Api, s_at);
        Assert.Equal(ProposalPhase.Approved, second.Proposal.Status.Phase);
    }

    [Fact]
    public void Approve_TwoPersonRule_NeedsTwoDistinctApprovers()
    {
        var p = Pending(decision: Decision(twoPersons: true));
        Assert.Equal(2, p.Spec.RequiredApprovals);

        var first = ProposalLifecycle.Approve(p, "alice", ApprovalChannel.DingTalk, s_at);

        Assert.Equal(ProposalPhase.Pending, first.Proposal.Status.Phase);
        Assert.Contains("two-person rule", first.Message, StringComparison.Ordinal);
        Assert.Equal(ProposalPhase.Approved, ProposalLifecycle.Approve(first.Proposal, "chen", ApprovalChannel.DingTalk, s_at).Proposal.Status.Phase);
    }

    [Fact]
    public void Approve_RequesterOfOverrideAlone_NotEnough()
    {
        var p = Pending(requestedBy: "alice");

        var own = ProposalLifecycle.Approve(p, "alice", ApprovalChannel.Cli, s_at);

        Assert.True(own.Accepted);
        Assert.Equal(ProposalPhase.Pending, own.Proposal.Status.Phase);
        Assert.Contains("alice requested this override and cannot approve it alone", own.Message, StringComparison.Ordinal);
        Assert.Equal(ProposalPhase.Approved, ProposalLifecycle.Approve(own.Proposal, "bob", ApprovalChannel.DingTalk, s_at).Proposal.Status.Phase);
    }

    [Fact]
    public void Approve_AfterExpiry_Refused()
    {
        var r = ProposalLifecycle.Approve(Pending(), "alice", ApprovalChannel.DingTalk, T0.AddSeconds(600));

        Assert.Equal(TransitionStatus.Refused, r.Status);
        Assert.Equal("cannot approve: the proposal expired at 2026-11-25 10:10:00Z", r.Message);
    }

    [Fact]
    public void Approve_Alternative_AcceptedAndMostCautiousChoiceApplies()
    {
        var first = ProposalLifecycle.Approve(Pending(Policy(required: 2)), "alice", ApprovalChannel.DingTalk, s_at, replicas: 60);
        var second = ProposalLifecycle.Approve(first.Proposal, "bob", ApprovalChannel.DingTalk, s_at, replicas: 40);

        var applying = ProposalLifecycle.StartApplying(second.Proposal, s_at);

        Assert.Equal(40, ProposalLifecycle.ApprovedReplicas(applying.Proposal.Status.Approvals));
        Assert.Contains("20 → 40", applying.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Approve_ReplicasNotOffered_Refused()
    {
        var r = ProposalLifecycle.Approve(Pending(), "alice", ApprovalChannel.Api, s_at, replicas: 55);

        Assert.Equal(TransitionStatus.Refused, r.Status);
        Assert.Equal("cannot approve 55 replicas: the proposal offers 60 or 40", r.Message);
    }

    [Fact]
    public void Reject_ByStranger_Refused() =>
        Assert.Equal(TransitionStatus.Refused, ProposalLifecycle.Reject(Pending(), "mallory", ApprovalChannel.DingTalk, s_at).Status);

    [Fact]
    public void Reject_ByRequesterOfOverride_Withdraws()
    {
        var r = ProposalLifecycle.Reject(Pending(Policy(approvers: ["bob", "chen"]), requestedBy: "alice"), "alice", ApprovalChannel.Cli, s_at, "changed my mind");

        Assert.Equal(ProposalPhase.Rejected, r.Proposal.Status.Phase);
        Assert.Equal("changed my mind", r.Proposal.Status.Rejection!.Reason);
    }

    [Fact]
    public void Expire_BeforeExpiry_Refused()
    {
        var r = ProposalLifecycle.Expire(Pending(), T0.AddSeconds(599));

        Assert.Equal(TransitionStatus.Refused, r.Status);
        Assert.Contains("valid until", r.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(63, false)] // within 10% of 60
    [InlineData(66, false)] // exactly 10%
    [InlineData(67, true)]  // beyond
    [InlineData(50, true)]
    public void ShouldSupersede_NewerDecisionBeyondTolerance(int newerTo, bool expected) =>
        Assert.Equal(expected, ProposalLifecycle.ShouldSupersede(Pending(), Decision(20, newerTo), 0.1));

    [Fact]
    public void ShouldSupersede_DirectionFlippedOrNothingToDo_True()
    {
        Assert.True(ProposalLifecycle.ShouldSupersede(Pending(), Decision(20, 10), 0.1));
        Assert.True(ProposalLifecycle.ShouldSupersede(Pending(), Decision(20, 20) with { Direction = ScaleDirection.None }, 0.1));
    }

    [Fact]
    public void Supersede_RecordsTheNewerName()
    {
        var r = ProposalLifecycle.Supersede(Pending(), "checkout-api-next", s_at, "traffic grew to 80");

        Assert.Equal("checkout-api-next", r.Proposal.Status.SupersededBy);
        Assert.Equal("superseded by checkout-api-next: traffic grew to 80", r.Proposal.Status.Message);
    }

    [Fact]
    public void Supersede_ByAPin_RecordsWhatThePinAskedForAndWho()
    {
        var pin = Pending() is var p
            ? p with
            {
                Metadata = p.Metadata with { Name = "checkout-api-pin", Labels = new Dictionary<string, string> { [ProposalFactory.ActionLabel] = "pin" } },
                Spec = p.Spec with { ToReplicas = 80, RequestedBy = "zhangsan" },
            }
            : p;

        var r = ProposalLifecycle.Supersede(Pending(), pin, s_at);

        Assert.Equal("checkout-api-pin", r.Proposal.Status.SupersededBy);
        Assert.Equal(new SupersessionRecord { Action = "pin", ToReplicas = 80, By = "zhangsan" }, r.Proposal.Status.Supersession);
    }

    [Fact]
    public void MarkApplied_RecordsReplicasAndTime()
    {
        var r = ProposalLifecycle.MarkApplied(InPhase(ProposalPhase.Applying), 60, s_at);

        Assert.Equal((60, s_at), (r.Proposal.Status.AppliedReplicas!.Value, r.Proposal.Status.AppliedAt!.Value));
        Assert.Equal("applied 20 → 60", r.Proposal.Status.Message);
    }
}
