using ScaleControl.Core.Decisions;
using ScaleControl.Core.Policies;
using static ScaleControl.Core.Tests.TestPolicies;

namespace ScaleControl.Core.Tests.Decisions;

/// <summary>How a step becomes ApplyNow or Propose, and what approvers are offered.</summary>
public class DecisionEngineModeTests
{
    private static EngineRig Rig(Func<ScalePolicySpec, ScalePolicySpec> change) =>
        new(WithSpec(EngineRig.Unlimited(Approval("alice", "bob", "chen")), change)) { Spec = 20, Ready = 20 };

    [Fact]
    public void Decide_ApprovalMode_Proposes()
    {
        var d = Rig(s => s).Decide(15_000);

        Assert.Equal(30, d.DesiredReplicas);
        Assert.Equal(DecisionOutcome.Propose, d.Outcome);
    }

    [Theory]
    [InlineData(12_500, DecisionOutcome.ApplyNow)] // 20 → 25: +5 within max(4 pods, 50% = 10)
    [InlineData(15_000, DecisionOutcome.ApplyNow)] // 20 → 30: +10, exactly 50%
    [InlineData(15_500, DecisionOutcome.Propose)]  // 20 → 31: beyond
    public void Decide_Hybrid_AutoWithinStepProposeBeyond(double qps, DecisionOutcome expected)
    {
        var rig = Rig(s => s with { Mode = ScaleMode.Hybrid, AutoApproveMaxStep = new StepLimit { Pods = 4, Percent = 50 } });

        Assert.Equal(expected, rig.Decide(qps).Outcome);
    }

    [Fact]
    public void Decide_ScaleDownModeAuto_AppliesDownsWithoutApproval()
    {
        var rig = Rig(s => s with { ScaleDownMode = ScaleMode.Auto });

        Assert.Equal(DecisionOutcome.ApplyNow, rig.Decide(5_000).Outcome);
        Assert.Equal(DecisionOutcome.Propose, rig.Decide(15_000).Outcome);
    }

    [Fact]
    public void Decide_AutoModeWithApprovalForDowns_ProposesDowns()
    {
        var rig = Rig(s => s with { Mode = ScaleMode.Auto, ScaleDownMode = ScaleMode.Approval });

        Assert.Equal(DecisionOutcome.Propose, rig.Decide(5_000).Outcome);
    }

    [Fact]
    public void Decide_HalfStepAllowed_OffersAlternative()
    {
        var rig = Rig(s => s with { Approval = s.Approval! with { AllowHalfStep = true } });

        var d = rig.Decide(30_000); // 20 → 60

        Assert.Equal(40, d.AlternativeReplicas);
    }

    [Fact]
    public void Decide_HalfStepNotAllowed_NoAlternative() =>
        Assert.Null(Rig(s => s).Decide(30_000).AlternativeReplicas);

    [Fact]
    public void Decide_OnePodStep_NoHalfStep() =>
        Assert.Null(Rig(s => s with { Approval = s.Approval! with { AllowHalfStep = true } }).Decide(10_500).AlternativeReplicas);

    [Theory]
    [InlineData(12_500, false)] // 20 → 25: 25%, below 100 replicas
    [InlineData(25_000, true)]  // 20 → 50: 150% ≥ 100%
    public void Decide_TwoPersonRuleByStepPercent(double qps, bool expected)
    {
        var rig = Rig(s => s with { Approval = s.Approval! with { TwoPersonRule = new TwoPersonRule { AboveStepPercent = 100 } } });

        Assert.Equal(expected, rig.Decide(qps).RequiresTwoPersons);
    }

    [Fact]
    public void Decide_TwoPersonRuleByReplicas()
    {
        var rig = Rig(s => s with { Approval = s.Approval! with { TwoPersonRule = new TwoPersonRule { AboveReplicas = 30 } } });

        Assert.False(rig.Decide(14_000).RequiresTwoPersons); // → 28
        Assert.True(rig.Decide(15_000).RequiresTwoPersons);  // → 30
    }

    [Fact]
    public void Decide_AutoOutcome_NeverRequiresTwoPersons()
    {
        var rig = Rig(s => s with { Mode = ScaleMode.Auto, Approval = s.Approval! with { TwoPersonRule = new TwoPersonRule { AboveReplicas = 1 } } });

        Assert.False(rig.Decide(30_000).RequiresTwoPersons);
    }
}
