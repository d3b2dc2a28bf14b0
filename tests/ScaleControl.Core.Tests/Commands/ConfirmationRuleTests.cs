using ScaleControl.Core.Commands;
using ScaleControl.Core.Policies;

namespace ScaleControl.Core.Tests.Commands;

/// <summary>A risky command over several policies is judged by the strictest of them.</summary>
public sealed class ConfirmationRuleTests
{
    private static ScalePolicy Policy(string name, bool twoPersons, params string[] approvers)
    {
        var policy = TestPolicies.WithSpec(TestPolicies.Approval(approvers), s => s with
        {
            Target = s.Target with { Name = name },
            Approval = s.Approval! with { RequiredApprovals = twoPersons ? 2 : 1 },
        });
        return policy with { Metadata = policy.Metadata with { Name = name } };
    }

    [Fact]
    public void Ask_NoPolicyWithTheTwoPersonRule_TheSenderConfirms()
    {
        var ask = ConfirmationRule.Ask([Policy("a", false, "alice", "bob"), Policy("b", false, "carol")], "alice");

        Assert.Equal((false, (string?)null), (ask.OtherApprover, ask.Problem));
    }

    [Fact]
    public void Ask_TheRuleOnAPolicyAfterTheFirst_NeedsAnotherApprover_OnThatPolicysRoster()
    {
        var ask = ConfirmationRule.Ask([Policy("a", false, "alice"), Policy("b", true, "alice", "bob")], "alice");

        Assert.True(ask.OtherApprover);
        Assert.Equal(["alice", "bob"], ask.Approvers);
        Assert.Null(ask.Problem);
    }

    [Fact]
    public void Ask_SeveralPoliciesWithTheRule_OnlyApproversOnEveryRosterMayConfirm()
    {
        var ask = ConfirmationRule.Ask([Policy("a", true, "alice", "bob", "carol"), Policy("b", true, "alice", "carol"), Policy("c", false, "dave")], "alice");

        Assert.Equal(["alice", "carol"], ask.Approvers);
        Assert.Null(ask.Problem);
    }

    [Fact]
    public void Ask_NoOtherApproverOnEveryRoster_SaysWhy()
    {
        var ask = ConfirmationRule.Ask([Policy("a", true, "alice", "bob"), Policy("b", true, "alice", "carol")], "alice");

        Assert.Equal("policies shop/a, shop/b have the two-person rule, and no approver but alice is on the roster of all of them", ask.Problem);
    }

    [Fact]
    public void Ask_ATwoPersonRuleAboveSomeReplicas_CountsAsTheRule()
    {
        var policy = TestPolicies.WithSpec(Policy("a", false, "alice", "bob"), s => s with { Approval = s.Approval! with { TwoPersonRule = new TwoPersonRule { AboveReplicas = 50 } } });

        Assert.True(ConfirmationRule.Ask([policy], "alice").OtherApprover);
    }

    [Fact]
    public void Refusal_JudgedByThePoliciesNow()
    {
        var plain = Policy("a", false, "alice");
        var strict = Policy("b", true, "alice", "bob");

        Assert.Null(ConfirmationRule.Refusal(otherApprover: true, "bob", [plain, strict], plain));
        Assert.StartsWith("policy shop/b has the two-person rule now", ConfirmationRule.Refusal(otherApprover: false, "alice", [plain, strict], plain));
        Assert.StartsWith("carol is no longer an approver of policy shop/b", ConfirmationRule.Refusal(otherApprover: true, "carol", [plain, strict], plain));
        // The rule dropped since it was asked: still a second person, an approver of the policy it is stored on.
        Assert.Null(ConfirmationRule.Refusal(otherApprover: true, "alice", [plain], plain));
        Assert.NotNull(ConfirmationRule.Refusal(otherApprover: true, "bob", [plain], plain));
    }
}
