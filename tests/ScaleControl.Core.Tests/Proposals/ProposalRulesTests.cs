using ScaleControl.Core.Policies;
using ScaleControl.Core.Proposals;
using static ScaleControl.Core.Tests.Proposals.ProposalFixtures;

namespace ScaleControl.Core.Tests.Proposals;

/// <summary>The re-check before applying (shared with the engine's freeze/pin reading) and the pin factory.</summary>
public class ProposalRulesTests
{
    [Fact]
    public void StillHolds_OrdinaryProposalWithinLimits_Null() =>
        Assert.Null(ProposalRules.StillHolds(Pending(), Evaluated(Policy()), Workload(20), 60, T0, StatusRefresh));

    [Fact]
    public void StillHolds_PolicyGone_SaysSo() =>
        Assert.Contains("no longer exists", ProposalRules.StillHolds(Pending(), null, Workload(20), 60, T0, StatusRefresh), StringComparison.Ordinal);

    [Fact]
    public void Ungoverned_PolicyDeleted_SaysSo() =>
        Assert.Equal("policy shop/checkout-api no longer exists", ProposalRules.Ungoverned(Pending(), null, heldBy: null));

    [Fact]
    public void Ungoverned_PolicyRetargeted_NamesBothWorkloads()
    {
        var moved = TestPolicies.WithSpec(Policy(), s => s with { Target = new TargetRef { Kind = TargetRef.DeploymentKind, Name = "search-api" } });
        Assert.Equal("policy checkout-api now governs Deployment/search-api, not Deployment/checkout-api", ProposalRules.Ungoverned(Pending(), moved, heldBy: null));
    }

    [Fact]
    public void Ungoverned_AnOlderPolicyOwnsTheWorkload_NamesTheOwner()
    {
        var owner = Policy() with { Metadata = new ObjectMeta { Namespace = "shop", Name = "checkout-main" } };
        Assert.Equal(TargetOwnership.Problem(Policy(), owner), ProposalRules.Ungoverned(Pending(), Policy(), owner));
    }

    [Fact]
    public void Ungoverned_PolicySwitchedToObserve_SaysItScalesNothing() =>
        Assert.Equal("policy shop/checkout-api is now in mode Observe: it scales nothing",
            ProposalRules.Ungoverned(Pending(), TestPolicies.WithSpec(Policy(), s => s with { Mode = ScaleMode.Observe }), heldBy: null));

    [Fact]
    public void StillHolds_PolicySwitchedToObserve_RefusesTheWrite() =>
        Assert.Contains("mode Observe", ProposalRules.StillHolds(Pending(), Evaluated(TestPolicies.WithSpec(Policy(), s => s with { Mode = ScaleMode.Observe })), Workload(20), 60, T0, StatusRefresh),
            StringComparison.Ordinal);

    [Fact]
    public void Ungoverned_PolicyStillGovernsTheWorkload_HeldOrFrozen_Null()
    {
        var frozen = TestPolicies.WithSpec(Policy(), s => s with { Freeze = new FreezeSpec { Until = T0.AddHours(1), Reason = "release" } });
        Assert.Null(ProposalRules.Ungoverned(Pending(), Evaluated(Policy()), heldBy: null));
        Assert.Null(ProposalRules.Ungoverned(Pending(), Held(frozen, "freeze"), heldBy: null));
        Assert.Null(ProposalRules.Ungoverned(Pending(), Held(Policy(), Core.Decisions.Decision.HeldByFailStatic), heldBy: null));
    }

    [Fact]
    public void StillHolds_FrozenSinceProposed_Refused()
    {
        var frozen = TestPolicies.WithSpec(Policy(), s => s with { Freeze = new FreezeSpec { Until = T0.AddHours(1), Reason = "release" } });
        Assert.Contains("frozen", ProposalRules.StillHolds(Pending(), Evaluated(frozen), Workload(20), 60, T0, StatusRefresh), StringComparison.Ordinal);
        Assert.Null(ProposalRules.StillHolds(Pending(), Evaluated(frozen, at: T0.AddHours(2)), Workload(20), 60, T0.AddHours(2), StatusRefresh));
    }

    [Fact]
    public void StillHolds_WorkloadAlreadyPastTheTarget_RefusedAsTheOtherWay() =>
        Assert.Contains("the other way", ProposalRules.StillHolds(Pending(), Evaluated(Policy()), Workload(70), 60, T0, StatusRefresh), StringComparison.Ordinal);

    [Fact]
    public void StillHolds_PinProposal_IgnoresFreezeAndLimits()
    {
        var frozen = TestPolicies.WithSpec(Policy(), s => s with { Freeze = new FreezeSpec { Until = T0.AddHours(1), Reason = "release" } });
        var pin = Pin(frozen, 500);
        Assert.Null(ProposalRules.StillHolds(pin, frozen, Workload(20), 500, T0, StatusRefresh));
    }

    [Fact]
    public void PinNotHeld_WorkloadMovedOffAPinInForce_SaysWhatToDo_ElseNull()
    {
        var pinned = TestPolicies.WithSpec(Policy(), s => s with { Pin = new PinSpec { Replicas = 12, Until = T0.AddHours(1), By = "alice" } }).Spec;

        Assert.Equal(
            "the workload runs 8, not the pinned 12 (changed outside ScaleControl, or the pin's scale failed): pin again to restore it, or unpin",
            ProposalRules.PinNotHeld(pinned, 8, T0));
        Assert.Null(ProposalRules.PinNotHeld(pinned, 12, T0)); // the pin is held
        Assert.Null(ProposalRules.PinNotHeld(pinned, 8, T0.AddHours(1))); // the pin has ended
        Assert.Null(ProposalRules.PinNotHeld(Policy().Spec, 8, T0)); // no pin
    }

    [Fact]
    public void ForPin_GoesThroughThePinTransition_ApprovedByTheOperator()
    {
        var pin = Pin(Policy(), 40);

        Assert.Equal(ProposalPhase.Approved, pin.Status.Phase);
        Assert.Equal(ProposalFactory.Action.Pin, ProposalFactory.ActionOf(pin));
        Assert.Equal(("dana", 40), (pin.Status.Approvals.Single().User, pin.Status.Approvals.Single().Replicas));
        Assert.Equal((ProposalPhase.Pending, ProposalPhase.Approved, "dana"), (pin.Status.History[^1].From, pin.Status.History[^1].To, pin.Status.History[^1].By));
    }

    private static ScaleProposal Pin(ScalePolicy policy, int replicas) => ProposalFactory.ForPin(
        policy, Workload(20), new PinOrder(policy.Metadata.Namespace, policy.Spec.Target.Name, replicas, 3600, "gala", "dana", ApprovalChannel.Api, AllowOutsideBounds: true),
        OverrideRules.Route(policy.Spec, "dana", 20, replicas, allowOutsideBounds: true), T0.AddHours(1), T0);

    [Fact]
    public void TargetKey_NamespaceKindName() =>
        Assert.Equal("shop/Deployment/checkout-api", ProposalRules.TargetKey(Workload().Ref));
}
