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
    public void StillHolds_PinRequestAskedWithinTheBounds_MaxLoweredSince_RefusedNamingTheBoundsNow()
    {
        // Live (probe 30): a pin of 30 asked within 2..40 waited for an approver; maxReplicas was lowered to 20 meanwhile
        // and the approval scaled to 30 and pinned it there, past the bounds, with no "allowed explicitly" on the record.
        var request = PinRequest(Policy(), 30, allowOutsideBounds: false);
        var narrowed = TestPolicies.WithSpec(Policy(), s => s with { MaxReplicas = 20 });

        Assert.Equal(
            "30 is outside the policy's 2..20 now (changed since the pin was asked; it was asked without allowOutsideBounds)",
            ProposalRules.StillHolds(request, narrowed, Workload(20), 30, T0, StatusRefresh));
        Assert.Null(ProposalRules.StillHolds(request, Policy(), Workload(20), 30, T0, StatusRefresh)); // bounds as asked
    }

    [Fact]
    public void StillHolds_PinRequestAskedOutsideTheBoundsOnPurpose_StillGoesOutside()
    {
        var request = PinRequest(Policy(), 500, allowOutsideBounds: true);

        Assert.Equal("true", request.Metadata.Annotations![ProposalFactory.PinOutsideBoundsAnnotation]);
        Assert.Null(ProposalRules.StillHolds(request, TestPolicies.WithSpec(Policy(), s => s with { MaxReplicas = 20 }), Workload(20), 500, T0, StatusRefresh));
    }

    [Fact]
    public void PinRequestWithinTheBounds_CarriesNoLeaveToGoOutside()
    {
        var request = PinRequest(Policy(), 30, allowOutsideBounds: true); // the flag, but 30 is within 2..100

        Assert.False(ProposalFactory.PinAllowedOutsideBounds(request));
        Assert.Equal("3600", request.Metadata.Annotations![ProposalFactory.PinDurationAnnotation]);
    }

    [Fact]
    public void StillHolds_AutomaticStep_PolicySwitchedToApprovalBeforeItWasWritten_RefusedSayingItWillBeProposed()
    {
        // Probe 30: an automatic step whose write was held (a leader's crash, resumed after the claim timeout) was still
        // written after an admin switched the policy to Approval to stop it changing things on its own.
        var auto = TestPolicies.Auto();
        var step = ProposalFactory.FromDecision(auto, Decision(20, 60) with { Outcome = Core.Decisions.DecisionOutcome.ApplyNow }, Workload(20), T0, ProposalFactory.Action.Auto);
        var switched = Evaluated(TestPolicies.WithSpec(Policy(), s => s with { Mode = ScaleMode.Approval }), at: T0);

        Assert.Equal(
            "the policy asks for approval to scale up now (mode Approval, changed since the loop approved this automatic step); not applied, the next evaluation proposes it to the approvers",
            ProposalRules.StillHolds(step, switched, Workload(20), 60, T0, StatusRefresh));
        Assert.Null(ProposalRules.NoLongerAutomatic(step, auto.Spec)); // still Auto: it goes on
        Assert.Null(ProposalRules.NoLongerAutomatic(step, (switched.Spec with { Mode = ScaleMode.Hybrid, AutoApproveMaxStep = new StepLimit { Pods = 4 } })));
        Assert.Null(ProposalRules.NoLongerAutomatic(Pending(), switched.Spec)); // a proposal put to the approvers is not the loop's own
    }

    [Fact]
    public void NoLongerAutomatic_ScaleDown_ReadsTheScaleDownMode()
    {
        var auto = TestPolicies.Auto();
        var down = ProposalFactory.FromDecision(auto, Decision(60, 20) with { Outcome = Core.Decisions.DecisionOutcome.ApplyNow }, Workload(60), T0, ProposalFactory.Action.Auto);

        Assert.Contains("approval to scale down", ProposalRules.NoLongerAutomatic(down, auto.Spec with { ScaleDownMode = ScaleMode.Approval }), StringComparison.Ordinal);
        Assert.Null(ProposalRules.NoLongerAutomatic(down, auto.Spec with { Mode = ScaleMode.Approval, ScaleDownMode = ScaleMode.Auto }));
    }

    private static ScaleProposal PinRequest(ScalePolicy policy, int replicas, bool allowOutsideBounds) => ProposalFactory.ForPinRequest(
        policy, Workload(20), new PinOrder(policy.Metadata.Namespace, policy.Spec.Target.Name, replicas, 3600, "gala", "erin", ApprovalChannel.Api, AllowOutsideBounds: allowOutsideBounds),
        OverrideRules.Route(policy.Spec, "erin", 20, replicas, allowOutsideBounds), T0);

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
