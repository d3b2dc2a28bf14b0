using ScaleControl.Core.Decisions;
using ScaleControl.Core.Policies;
using ScaleControl.Core.Text;

namespace ScaleControl.Core.Tests.Decisions;

/// <summary>What an Observe policy would have run, summed against what ran: time at the earlier counts, gaps left out, writes counted once.</summary>
public class ObservationTallyTests
{
    private static readonly DateTimeOffset T0 = new(2026, 12, 8, 10, 0, 0, TimeSpan.Zero);

    private static ObservationStatus Run(params (int Seconds, int Running, int Would)[] evaluations)
    {
        ObservationStatus? o = null;
        foreach (var (seconds, running, would) in evaluations)
        {
            o = ObservationTally.Next(o, T0.AddSeconds(seconds), running, would, intervalSeconds: 5);
        }

        return o!;
    }

    [Fact]
    public void Next_First_StartsNowWithNothingCounted()
    {
        var o = Run((0, 4, 9));

        Assert.Equal(T0, o.Since);
        Assert.Equal(0, o.ObservedSeconds);
        Assert.Equal(9, o.WouldReplicas);
        Assert.Equal(4, o.RunningReplicas);
        Assert.Equal(1, o.WouldChanges); // 9 where 4 run: the first write it would have made
    }

    [Fact]
    public void Next_SumsPodSecondsAtTheEarlierCounts()
    {
        // 10 s at would 9 over 4 running (+50 pod-s), then 5 s at would 3 under 4 running (−5 pod-s), then 5 s agreeing.
        var o = Run((0, 4, 9), (5, 4, 9), (10, 4, 3), (15, 4, 4), (20, 4, 4));

        Assert.Equal(20, o.ObservedSeconds);
        Assert.Equal(15, o.DifferentSeconds);
        Assert.Equal(50, o.PodSecondsMore);
        Assert.Equal(5, o.PodSecondsLess);
    }

    [Fact]
    public void Next_GapLongerThanThreeIntervals_LeftOut()
    {
        var o = Run((0, 4, 9), (5, 4, 9), (305, 4, 9));

        Assert.Equal(5, o.ObservedSeconds);
        Assert.Equal(25, o.PodSecondsMore);
        Assert.Equal(T0.AddSeconds(305), o.LastObserved);
    }

    [Fact]
    public void Next_CountsWritesItWouldHaveMadeAndTheWorkloadsChanges()
    {
        var o = Run(
            (0, 4, 4),
            (5, 4, 9),   // would write 9
            (10, 4, 9),  // same ask: no new write
            (15, 9, 9),  // the HPA got there: the workload changed, no write
            (20, 12, 12), // held, following the workload: a workload change, no write
            (25, 12, 8)); // would write 8

        Assert.Equal(2, o.WouldChanges);
        Assert.Equal(2, o.WorkloadChanges);
    }

    [Fact]
    public void WouldWrite_OnlyForANewCountTheWorkloadDoesNotRun()
    {
        Assert.True(ObservationTally.WouldWrite(null, 4, 9));
        Assert.False(ObservationTally.WouldWrite(null, 4, 4));
        var asked = Run((0, 4, 9));
        Assert.False(ObservationTally.WouldWrite(asked, 4, 9));
        Assert.True(ObservationTally.WouldWrite(asked, 4, 12));
    }

    [Fact]
    public void Summary_SaysWhatItCounts() =>
        Assert.Equal(
            "over 0m observed: would have run another count 75% of the time, 0.02 pod-hours more and 0 less than ran; would have scaled once, the workload changed 0 times",
            ObservationText.Summary(Run((0, 4, 4), (5, 4, 9), (10, 4, 9), (15, 4, 9), (20, 4, 9))));
}
