using ScaleControl.Core.Decisions;
using ScaleControl.Core.Policies;
using ScaleControl.Core.Proposals;

namespace ScaleControl.Core.Tests.Decisions;

/// <summary>Hybrid, bounded: the automatic part now, the rest proposed; the allowance adds up over the window.</summary>
public class HybridAllowanceTests
{
    private static readonly DateTimeOffset s_now = new(2026, 11, 25, 10, 0, 0, TimeSpan.Zero);

    private static ScalePolicySpec Hybrid(int pods = 2) => TestPolicies.WithSpec(TestPolicies.Approval(), s => s with
    {
        Mode = ScaleMode.Hybrid,
        AutoApproveMaxStep = new StepLimit { Pods = pods },
        AutoApproveWindowSeconds = 600,
    }).Spec;

    private static Decision Step(int from, int to) => new()
    {
        CurrentReplicas = from,
        DesiredReplicas = to,
        Direction = to > from ? ScaleDirection.Up : ScaleDirection.Down,
        Outcome = DecisionOutcome.Propose,
        Reason = $"qps -> {to}",
        Evidence = new DecisionEvidence(),
    };

    [Fact]
    public void Split_StepWithinAllowance_AllAutomatic()
    {
        var split = HybridAllowance.Split(Hybrid(), Step(3, 5), [], s_now);

        Assert.Equal(new HybridSplit(5, null), split);
    }

    [Fact]
    public void Split_StepBeyondAllowance_AllowanceNowRestProposedFromThere()
    {
        var split = HybridAllowance.Split(Hybrid(), Step(3, 8), [], s_now)!;

        Assert.Equal(5, split.AutomaticTo);
        var rest = split.Rest!.Value;
        Assert.Equal((5, 8, DecisionOutcome.Propose), (rest.CurrentReplicas, rest.DesiredReplicas, rest.Outcome));
        Assert.Contains("3 → 5 applied automatically", rest.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Split_CreepOfSmallSteps_AsksOnceTheWindowsAllowanceIsUsed()
    {
        // 3 → 4 and 4 → 5 were automatic in the last 10 minutes: +2 of +2 used.
        ScaleChange[] earlier = [new(s_now.AddMinutes(-8), 3, 4), new(s_now.AddMinutes(-4), 4, 5)];

        var split = HybridAllowance.Split(Hybrid(), Step(5, 6), earlier, s_now)!;

        Assert.Equal(5, split.AutomaticTo);
        var rest = split.Rest!.Value;
        Assert.Equal((5, 6), (rest.CurrentReplicas, rest.DesiredReplicas));
        Assert.Contains("used up", rest.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Split_ChangesOlderThanTheWindowOrTheOtherWay_DoNotCount()
    {
        ScaleChange[] earlier = [new(s_now.AddMinutes(-11), 3, 5), new(s_now.AddMinutes(-2), 6, 5)];

        Assert.Equal(new HybridSplit(7, null), HybridAllowance.Split(Hybrid(), Step(5, 7), earlier, s_now));
    }

    [Fact]
    public void Split_NotHybrid_Null() =>
        Assert.Null(HybridAllowance.Split(TestPolicies.Approval().Spec, Step(3, 8), [], s_now));
}
