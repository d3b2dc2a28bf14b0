using ScaleControl.Core.Decisions;
using ScaleControl.Core.Policies;
using static ScaleControl.Core.Tests.TestPolicies;

namespace ScaleControl.Core.Tests.Decisions;

/// <summary>
/// Issue 12, quiet days: once the engine has had to undo one of its own scale-downs, the change budget binds (only a
/// measured shortage passes it), a scale-down leaves one change for the next rise, a scale-up under budget pressure
/// covers the window's highest measured need, and an event ending is still released.
/// </summary>
public class SwingBudgetTests
{
    /// <summary>The replay benchmark's policy (500/pod, tolerance 0.1, 0.04 up, 300 s down window, budget 3 per 10 min), prediction off.</summary>
    private static ScalePolicy Policy() => WithSpec(Auto(min: 2, max: 500), s => s with
    {
        Tolerance = 0.1,
        EvaluationIntervalSeconds = 5,
        Behavior = new ScalingBehavior
        {
            ScaleUp = new DirectionBehavior { PeriodSeconds = 15, Tolerance = 0.04, MaxStep = new StepLimit { Percent = 300 } },
            ScaleDown = new DirectionBehavior { PeriodSeconds = 15, StabilizationWindowSeconds = 300, MaxStep = new StepLimit { Percent = 100 } },
        },
        Prediction = new PredictionSpec { Enabled = false },
    });

    /// <summary>A rig at T0 + 10 min whose last 10 minutes swung: the given (minutes ago, count) recommendations and changes.</summary>
    private static EngineRig Swung(int spec, (double Ago, int Replicas)[] recommended, (double Ago, int From, int To)[] changes)
    {
        var rig = new EngineRig(Policy()) { Spec = spec, Ready = spec };
        rig.Advance(600);
        foreach (var (ago, replicas) in recommended)
        {
            rig.History.AddRecommendation(rig.Now.AddMinutes(-ago), replicas);
        }

        foreach (var (ago, from, to) in changes)
        {
            rig.History.RecordChange(rig.Now.AddMinutes(-ago), from, to);
        }

        return rig;
    }

    [Fact]
    public void Decide_MeasuredShortage_BudgetSpent_ScalesUpToTheWindowsHighestNeed()
    {
        // Three changes in 10 minutes (down, up, down: the swing), now 40 pods of demand for 36 (beyond the 10 % band).
        var rig = Swung(36, [(9, 44), (7, 30), (5, 44), (4, 36), (2, 36)], [(8, 44, 38), (6, 38, 44), (3, 44, 36)]);

        var d = rig.Decide(20_000);

        // Never blocked by the budget; and one step to the swing's top instead of 40 now and 44 a minute later.
        Assert.Equal(44, d.DesiredReplicas);
    }

    [Fact]
    public void Decide_ScaleDownInsideTheRange_WaitsWhileOnlyOneChangeIsLeft()
    {
        // Down and up within 10 minutes (the regret); needs 20–50 (a range too wide for the swing hold).
        var rig = Swung(44, [(9, 50), (8, 20), (4.5, 30), (3, 30), (1, 30)], [(8, 50, 40), (6, 40, 44)]);

        var d = rig.Decide(15_000); // 30 pods: a large fall, but no lower than the range has been

        Assert.Equal(44, d.DesiredReplicas);
        Assert.Contains("change budget", d.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Decide_EventEnding_IsReleasedEvenWithTheBudgetSpent()
    {
        var rig = Swung(44, [(9, 50), (8, 20), (4.5, 17), (3, 17), (1, 17)], [(8, 50, 40), (6, 40, 44), (5, 44, 50)]);

        var d = rig.Decide(7_500); // 15 pods, below everything measured in 10 minutes: the event ends

        Assert.Equal(17, d.DesiredReplicas); // the down window's highest, as without the budget
        Assert.DoesNotContain("change budget", d.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Apply_AnEventEndTheEngineFound_IsNotHeld()
    {
        // Budget spent, a small fall inside the range: held; the same fall once EventEnd has called it: released.
        var rig = Swung(44, [(9, 50), (8, 20), (4.5, 30), (3, 30), (1, 30)], [(8, 50, 40), (6, 40, 44), (5, 44, 50)]);

        Assert.Equal(44, SwingBudget.Apply(rig.History, rig.Now, 44, 30, 30, 1.0, 3, eventEnded: false, out var spent));
        Assert.Equal(3, spent);
        Assert.Equal(30, SwingBudget.Apply(rig.History, rig.Now, 44, 30, 30, 1.0, 3, eventEnded: true, out _));
    }
}
