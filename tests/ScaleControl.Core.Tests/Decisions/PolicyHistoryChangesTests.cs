using ScaleControl.Core.Decisions;

namespace ScaleControl.Core.Tests.Decisions;

/// <summary>
/// The applied changes a history holds are in time order (the cooldown reads the last, the budget counts back from it)
/// and each applied change of a proposal is held once, however often it is learned.
/// </summary>
public class PolicyHistoryChangesTests
{
    private static readonly DateTimeOffset T0 = new(2026, 12, 5, 0, 0, 0, TimeSpan.Zero);

    [Fact]
    public void RecordChange_OlderThanTheNewest_IsInsertedInTimeOrder()
    {
        var history = new PolicyHistory();
        history.RecordChange(T0.AddSeconds(10), 2, 4);
        history.RecordChange(T0.AddSeconds(30), 4, 6);
        history.RecordChange(T0.AddSeconds(20), 6, 5, new ChangeSource("p-follower", 0)); // applied elsewhere, learned late
        history.RecordChange(T0, 1, 2);

        Assert.Equal([2, 4, 5, 6], history.Changes.Select(c => c.To));
        Assert.Equal(T0.AddSeconds(30), history.Changes[^1].Time);
    }

    [Fact]
    public void RecordChange_AfterTheFrontWasTrimmed_KeepsTheOrder()
    {
        var history = new PolicyHistory();
        for (var i = 1; i <= 4; i++)
        {
            history.RecordChange(T0.AddMinutes(10 * i), i, i + 1);
        }

        history.Trim(T0.AddMinutes(45), TimeSpan.FromMinutes(20)); // drops the first two (SwingHold keeps 20 minutes)
        history.RecordChange(T0.AddMinutes(35), 9, 8);
        history.RecordChange(T0.AddMinutes(50), 8, 7);

        Assert.Equal([4, 8, 5, 7], history.Changes.Select(c => c.To));
    }

    [Fact]
    public void RecordChange_SameSourceTwice_IsHeldOnce()
    {
        var history = new PolicyHistory();
        var source = new ChangeSource("checkout-api-x1", 0);

        // Recorded where it was applied, then learned back from the proposal (its own time and count): once.
        Assert.True(history.RecordChange(T0.AddSeconds(2), 10, 20, source));
        Assert.False(history.RecordChange(T0, 10, 20, new ChangeSource("checkout-api-x1", 0)));
        Assert.True(history.RecordChange(T0.AddSeconds(40), 20, 30, source with { Step = 1 }));

        Assert.Equal([20, 30], history.Changes.Select(c => c.To));
        Assert.Equal(2, ReplicaLimits.ChangesSince(history, T0.AddMinutes(-10)));
    }

    [Fact]
    public void RecordChanges_KeepsOnlyWhatTheHistoryWouldStillHold()
    {
        var spec = new Core.Policies.ScalePolicySpec();
        var now = T0.AddHours(1);
        var from = PolicyHistory.ChangesKeptFrom(now, DecisionRecorder.Retention(spec));
        var history = new PolicyHistory();

        var added = history.RecordChanges([new ScaleChange(from.AddSeconds(-1), 2, 4, new("old", 0)), new ScaleChange(from, 4, 6, new("kept", 0))], spec, now);

        Assert.Equal(1, added);
        Assert.Equal("kept", Assert.Single(history.Changes).Source!.Proposal);
    }
}
