using ScaleControl.Core.Capacity;

namespace ScaleControl.Core.Tests.Capacity;

/// <summary>The cost and room of a change: what the card, scalectl and the API print, from requests, nodes and prices.</summary>
public class CapacityCalculatorTests
{
    private static readonly DateTimeOffset T0 = new(2026, 12, 4, 10, 0, 0, TimeSpan.Zero);
    private const long GiB = 1L << 30;
    private static readonly PodResources HalfCpuOneGiB = new(500, GiB);
    private static readonly CostPrices Yuan = new(CpuHour: 2.40m, MemoryGiBHour: 0.40m, Currency: "¥");

    /// <summary>An 8 CPU / 32 GiB / 110 pods node with <paramref name="cpu"/> millicores and <paramref name="memory"/> bytes requested.</summary>
    private static NodeRoom Node(string name, long cpu = 0, long memory = 0, int pods = 0, long allocatableCpu = 8000, long allocatableMemory = 32 * GiB) =>
        new(name, allocatableCpu, allocatableMemory, 110, cpu, memory, pods);

    [Fact]
    public void Estimate_EnoughRoom_Fits_WithResourcesAndPrice()
    {
        var cluster = new ClusterRoom([Node("n1", cpu: 4000), Node("n2", cpu: 500), Node("n3", cpu: 8000)]);

        var estimate = CapacityCalculator.Estimate(4, 12, HalfCpuOneGiB, cluster, Yuan, T0);

        Assert.Equal(RoomVerdict.Fits, estimate.Room);
        Assert.Equal(8, estimate.Fitting);
        Assert.Equal(0, estimate.Pending);
        Assert.Equal(11_500, estimate.FreeMilliCpu);
        Assert.Equal(4000, estimate.MilliCpu);
        Assert.Equal(8 * GiB, estimate.MemoryBytes);
        Assert.Equal(12.80m, estimate.CostPerHour); // 4 CPU × 2.40 + 8 GiB × 0.40
        Assert.Equal("+8 pods · +4 CPU, +8 GiB · ≈ ¥12.80/h", CapacityText.Change(estimate));
        Assert.Equal("room: fits (free 11.5 CPU on 3 nodes)", CapacityText.Room(estimate));
    }

    [Fact]
    public void Estimate_NotEnoughRoom_CountsPendingAndNodesOfTheCommonShape()
    {
        // 1.5 CPU free in all: three half-CPU pods fit; five stay Pending; an empty 8-CPU node holds 16.
        var cluster = new ClusterRoom([Node("n1", cpu: 7500), Node("n2", cpu: 7500), Node("n3", cpu: 7500)]);

        var estimate = CapacityCalculator.Estimate(4, 12, HalfCpuOneGiB, cluster, CostPrices.None, T0);

        Assert.Equal(RoomVerdict.Short, estimate.Room);
        Assert.Equal(3, estimate.Fitting);
        Assert.Equal(5, estimate.Pending);
        Assert.Equal(1, estimate.NodesNeeded);
        Assert.Null(estimate.CostPerHour);
        Assert.Equal("+8 pods · +4 CPU, +8 GiB", CapacityText.Change(estimate));
        Assert.Equal("room: 3 of 8 fit — 5 would stay Pending (needs ~1 more node)", CapacityText.Room(estimate));
    }

    [Fact]
    public void Estimate_PodsAlreadyPending_TakeTheFreeRoomFirst()
    {
        // 4 CPU free: room for 8 half-CPU pods, but 6 asked by an earlier step still wait for a node.
        var cluster = new ClusterRoom([Node("n1", cpu: 6000), Node("n2", cpu: 6000)], Waiting: [new WaitingPods(HalfCpuOneGiB, 6)]);

        var estimate = CapacityCalculator.Estimate(4, 12, HalfCpuOneGiB, cluster, CostPrices.None, T0);

        Assert.Equal((RoomVerdict.Short, 2, 6, 6), (estimate.Room, estimate.Fitting, estimate.Pending, estimate.AlreadyPending));
        Assert.Equal(1000, estimate.FreeMilliCpu);
        Assert.Equal("room: 2 of 8 fit — 6 would stay Pending (needs ~1 more node); counted after 6 pods already Pending", CapacityText.Room(estimate));

        var fits = CapacityCalculator.Estimate(4, 6, HalfCpuOneGiB, cluster, CostPrices.None, T0);
        Assert.Equal("room: fits (free 1 CPU on 2 nodes after 6 pods already Pending)", CapacityText.Room(fits));
    }

    [Fact]
    public void Estimate_WaitingPodThatFitsNowhere_TakesNoRoom()
    {
        var cluster = new ClusterRoom([Node("n1", cpu: 6000)], Waiting: [new WaitingPods(new PodResources(16_000, GiB), 1)]);

        var estimate = CapacityCalculator.Estimate(4, 8, HalfCpuOneGiB, cluster, CostPrices.None, T0);

        Assert.Equal((RoomVerdict.Fits, 4), (estimate.Room, estimate.Fitting));
    }

    [Fact]
    public void GroupRoom_RowsCompeteForTheSameFreeRoom()
    {
        // 3 CPU free: each row alone fits (4 × 0.5 CPU), together 8 × 0.5 CPU do not.
        var cluster = new ClusterRoom([Node("n1", cpu: 5000)]);
        var gateway = CapacityCalculator.Estimate(2, 6, HalfCpuOneGiB, cluster, CostPrices.None, T0);
        var api = CapacityCalculator.Estimate(2, 6, HalfCpuOneGiB, cluster, CostPrices.None, T0);

        var together = CapacitySum.Room([gateway, api]);

        Assert.Equal((RoomVerdict.Fits, RoomVerdict.Fits), (gateway.Room, api.Room));
        Assert.Equal("room: 6 of 8 fit — 2 would stay Pending (the rows counted together)", CapacityText.Room(together));
        Assert.Equal("room: fits (free 3 CPU on 1 node)", CapacityText.Room(CapacitySum.Room([gateway])));
        Assert.Equal(RoomVerdict.Unknown, CapacitySum.Room([gateway, CapacityCalculator.Estimate(2, 6, HalfCpuOneGiB, ClusterRoom.NotKnown("no permission"), CostPrices.None, T0)]).Room);
    }

    [Fact]
    public void Part_OfASmallerStep_IsTheEstimateOfThatStep()
    {
        // 1.5 CPU free: three of eight fit. Any smaller step must read as Estimate would have said for it.
        var cluster = new ClusterRoom([Node("n1", cpu: 7500), Node("n2", cpu: 7500), Node("n3", cpu: 7500)]);
        var whole = CapacityCalculator.Estimate(4, 12, HalfCpuOneGiB, cluster, Yuan, T0);

        foreach (var pods in new[] { 1, 3, 4, 7 })
        {
            var direct = CapacityCalculator.Estimate(4, 4 + pods, HalfCpuOneGiB, cluster, Yuan, T0);
            Assert.Equal(CapacityText.Summary(direct), CapacityText.Summary(CapacityCalculator.Part(whole, pods)));
        }

        Assert.Same(whole, CapacityCalculator.Part(whole, 8));
    }

    [Fact]
    public void Estimate_PodsPerNodeIsTheTighterOfCpuMemoryAndPodCount()
    {
        // Memory binds on n1 (2 GiB free → 2 pods), the pod count on n2 (1 slot left), CPU on n3 (1 CPU → 2 pods).
        var cluster = new ClusterRoom(
        [
            Node("n1", memory: 30 * GiB),
            Node("n2", pods: 109),
            Node("n3", cpu: 7000),
        ]);

        var estimate = CapacityCalculator.Estimate(0, 10, HalfCpuOneGiB, cluster, CostPrices.None, T0);

        Assert.Equal(5, estimate.Fitting);
        Assert.Equal(5, estimate.Pending);
    }

    [Fact]
    public void Estimate_SeveralNewNodes_RoundsUp()
    {
        var cluster = new ClusterRoom([Node("n1", cpu: 8000)]);

        var estimate = CapacityCalculator.Estimate(0, 40, new PodResources(1000, GiB), cluster, CostPrices.None, T0);

        Assert.Equal(0, estimate.Fitting);
        Assert.Equal(5, estimate.NodesNeeded); // 8 one-CPU pods per node
        Assert.Equal("room: 0 of 40 fit — 40 would stay Pending (needs ~5 more nodes)", CapacityText.Room(estimate));
    }

    [Fact]
    public void Estimate_CommonShapeIsTheMostFrequentNodeSize()
    {
        var cluster = new ClusterRoom(
        [
            Node("big", cpu: 64_000, allocatableCpu: 64_000, allocatableMemory: 256 * GiB),
            Node("n1", cpu: 8000),
            Node("n2", cpu: 8000),
        ]);

        var estimate = CapacityCalculator.Estimate(0, 20, new PodResources(1000, GiB), cluster, CostPrices.None, T0);

        Assert.Equal(3, estimate.NodesNeeded); // 8 per 8-CPU node, not 64 per big node
    }

    [Fact]
    public void Estimate_PodLargerThanAnyNode_SaysSoInsteadOfANodeCount()
    {
        var cluster = new ClusterRoom([Node("n1")]);

        var estimate = CapacityCalculator.Estimate(1, 3, new PodResources(16_000, GiB), cluster, CostPrices.None, T0);

        Assert.Equal(RoomVerdict.Short, estimate.Room);
        Assert.Null(estimate.NodesNeeded);
        Assert.Contains("more than a whole node", CapacityText.Room(estimate), StringComparison.Ordinal);
    }

    [Fact]
    public void Estimate_NoRequests_ResourcesZero_RoomNotCounted()
    {
        var estimate = CapacityCalculator.Estimate(2, 6, PodResources.None, new ClusterRoom([Node("n1")]), Yuan, T0);

        Assert.Equal(RoomVerdict.NoRequests, estimate.Room);
        Assert.Equal(0m, estimate.CostPerHour);
        Assert.Equal("+4 pods · ≈ ¥0.00/h", CapacityText.Change(estimate));
        Assert.Equal("room: not counted (the pods request no CPU or memory)", CapacityText.Room(estimate));
    }

    [Fact]
    public void Estimate_NodesUnknown_RoomUnknownWithWhy_ResourcesStillShown()
    {
        var estimate = CapacityCalculator.Estimate(4, 12, HalfCpuOneGiB, ClusterRoom.NotKnown("no permission to list nodes and pods"), Yuan, T0);

        Assert.Equal(RoomVerdict.Unknown, estimate.Room);
        Assert.Null(estimate.Fitting);
        Assert.Equal("+8 pods · +4 CPU, +8 GiB · ≈ ¥12.80/h", CapacityText.Change(estimate));
        Assert.Equal("room: unknown (no permission to list nodes and pods)", CapacityText.Room(estimate));
    }

    [Fact]
    public void Estimate_NoNodesAtAll_Unknown()
    {
        var estimate = CapacityCalculator.Estimate(4, 12, HalfCpuOneGiB, new ClusterRoom([]), CostPrices.None, T0);

        Assert.Equal(RoomVerdict.Unknown, estimate.Room);
        Assert.Equal("room: unknown (no schedulable nodes were seen)", CapacityText.Room(estimate));
    }

    [Fact]
    public void Estimate_TemplateUnknown_PodsOnly()
    {
        var estimate = CapacityCalculator.Estimate(4, 12, perPod: null, new ClusterRoom([Node("n1")]), Yuan, T0);

        Assert.Null(estimate.MilliCpu);
        Assert.Null(estimate.CostPerHour);
        Assert.Equal("+8 pods", CapacityText.Change(estimate));
        Assert.StartsWith("room: unknown", CapacityText.Room(estimate), StringComparison.Ordinal);
    }

    [Fact]
    public void Estimate_ScaleDown_FreesAndSaves()
    {
        var estimate = CapacityCalculator.Estimate(12, 4, HalfCpuOneGiB, cluster: null, new CostPrices(CpuHour: 0.5m, Currency: "CNY"), T0);

        Assert.Equal(RoomVerdict.Frees, estimate.Room);
        Assert.Equal("-8 pods · -4 CPU, -8 GiB · ≈ -2.00 CNY/h", CapacityText.Change(estimate));
        Assert.Equal("room: frees 4 CPU, 8 GiB", CapacityText.Room(estimate));
    }

    [Fact]
    public void Estimate_RequestsAlreadyOverAllocatable_CountsNoFreeRoomNotNegative()
    {
        var cluster = new ClusterRoom([Node("n1", cpu: 9000), Node("n2", cpu: 7000)]);

        var estimate = CapacityCalculator.Estimate(0, 2, HalfCpuOneGiB, cluster, CostPrices.None, T0);

        Assert.Equal(1000, estimate.FreeMilliCpu);
        Assert.Equal(2, estimate.Fitting);
    }
}
