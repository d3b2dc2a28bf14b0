using ScaleControl.Core.Capacity;
using ScaleControl.Core.Proposals;

namespace ScaleControl.Core.Tests.Proposals;

/// <summary>
/// A pin past the cluster's free room is recorded but says so (the API's Warning header, scalectl's stderr, the chat
/// answer), from the same estimate every proposal carries.
/// </summary>
public class RoomNoteTests
{
    private const long GiB = 1L << 30;
    private static readonly DateTimeOffset s_now = new(2026, 12, 6, 12, 0, 0, TimeSpan.Zero);

    private static CapacityEstimate Estimate(int from, int to, ClusterRoom room) =>
        CapacityCalculator.Estimate(from, to, new PodResources(500, GiB), room, CostPrices.None, s_now);

    private static NodeRoom Node(long usedCpu) => new("n", 8000, 32 * GiB, 110, usedCpu, 0, 10);

    [Fact]
    public void RoomNote_SomePodsWouldStayPending_SaysHowManyFitAndTheNodesNeeded()
    {
        var note = OverrideRules.RoomNote(Estimate(4, 12, new ClusterRoom([Node(7000), Node(6500)])));

        Assert.Equal("room: only 5 of the 8 pods this pin adds fit on the nodes now; 3 would stay Pending (needs ~1 more node)", note);
        Assert.True(note!.All(char.IsAscii)); // it travels as an HTTP header
    }

    [Fact]
    public void RoomNote_NoneFitAfterPodsAlreadyWaiting_SaysSo()
    {
        var room = new ClusterRoom([Node(8000)], Waiting: [new WaitingPods(new PodResources(500, GiB), 2)]);

        Assert.Equal("room: none of the 3 pods this pin adds fit on the nodes now, after 2 pods already Pending; 3 would stay Pending (needs ~1 more node)",
            OverrideRules.RoomNote(Estimate(4, 7, room)));
    }

    [Fact]
    public void RoomNote_FitsFreesOrUnknown_SaysNothing()
    {
        Assert.Null(OverrideRules.RoomNote(Estimate(4, 6, new ClusterRoom([Node(7000), Node(6500)]))));
        Assert.Null(OverrideRules.RoomNote(Estimate(12, 4, new ClusterRoom([Node(8000)]))));
        Assert.Null(OverrideRules.RoomNote(Estimate(4, 12, ClusterRoom.NotKnown("no permission to list nodes"))));
        Assert.Null(OverrideRules.RoomNote(null));
    }

    [Fact]
    public void JoinNotes_BothOnOneLine_OrTheOneThereIs()
    {
        Assert.Equal("a; b", OverrideRules.JoinNotes("a", "b"));
        Assert.Equal("a", OverrideRules.JoinNotes("a", null));
        Assert.Equal("b", OverrideRules.JoinNotes(null, "b"));
        Assert.Null(OverrideRules.JoinNotes(null, null));
    }
}
