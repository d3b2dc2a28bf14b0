using ScaleControl.Core.Policies;
using ScaleControl.Core.Proposals;
using static ScaleControl.Core.Tests.Proposals.ProposalFixtures;

namespace ScaleControl.Core.Tests.Proposals;

/// <summary>The re-check before applying (shared with the engine's freeze/pin reading) and the pin factory.</summary>
public class ProposalRulesTests
{
    [Fact]
    public void StillHolds_OrdinaryProposalWithinLimits_Null() =>
        Assert.Null(ProposalRules.StillHolds(Pending(), Policy(), Workload(20), 60, T0));

    [Fact]
    public void StillHolds_PolicyGone_SaysSo() =>
        Assert.Contains("no longer exists", ProposalRules.StillHolds(Pending(), null, Workload(20), 60, T0), StringComparison.Ordinal);

    [Fact]
    public void StillHolds_FrozenSinceProposed_Refused()
    {
        var frozen = TestPolicies.WithSpec(Policy(), s => s with { Freeze = new FreezeSpec { Until = T0.AddHours(1), Reason = "release" } });
        Assert.Contains("frozen", ProposalRules.StillHolds(Pending(), frozen, Workload(20), 60, T0), StringComparison.Ordinal);
        Assert.Null(ProposalRules.StillHolds(Pending(), frozen, Workload(20), 60, T0.AddHours(2)));
    }

    [Fact]
    public void StillHolds_WorkloadAlreadyPastTheTarget_RefusedAsTheOtherWay() =>
        Assert.Contains("the other way", ProposalRules.StillHolds(Pending(), Policy(), Workload(70), 60, T0), StringComparison.Ordinal);

    [Fact]
    public void StillHolds_PinProposal_IgnoresFreezeAndLimits()
    {
        var frozen = TestPolicies.WithSpec(Policy(), s => s with { Freeze = new FreezeSpec { Until = T0.AddHours(1), Reason = "release" } });
        var pin = ProposalFactory.ForPin(frozen, Workload(20), 500, "dana", "gala", T0.AddHours(1), T0);
        Assert.Null(ProposalRules.StillHolds(pin, frozen, Workload(20), 500, T0));
    }

    [Fact]
    public void ForPin_GoesThroughThePinTransition_ApprovedByTheOperator()
    {
        var pin = ProposalFactory.ForPin(Policy(), Workload(20), 40, "dana", "gala", T0.AddHours(1), T0);

        Assert.Equal(ProposalPhase.Approved, pin.Status.Phase);
        Assert.Equal(ProposalFactory.Action.Pin, ProposalFactory.ActionOf(pin));
        Assert.Equal(("dana", 40), (pin.Status.Approvals.Single().User, pin.Status.Approvals.Single().Replicas));
        Assert.Equal((ProposalPhase.Pending, ProposalPhase.Approved, "dana"), (pin.Status.History[^1].From, pin.Status.History[^1].To, pin.Status.History[^1].By));
    }

    [Fact]
    public void TargetKey_NamespaceKindName() =>
        Assert.Equal("shop/Deployment/checkout-api", ProposalRules.TargetKey(Workload().Ref));
}
