using ScaleControl.Core.Capacity;
using ScaleControl.Core.Policies;
using ScaleControl.Core.Proposals;
using ScaleControl.DingTalk.Cards;
using ScaleControl.DingTalk.Tests.Support;
using V = ScaleControl.DingTalk.Cards.ApprovalCardVariables;

namespace ScaleControl.DingTalk.Tests.Unit;

/// <summary>One living card: amended numbers in place, and a group card with a row per service.</summary>
public class GroupCardContentTests
{
    private static readonly ApprovalCardContent s_content = new(TimeZoneInfo.Utc, null, new Dictionary<string, string>());

    private static ScaleProposal Row(string name, int from, int to, string? group = "feed-chain") =>
        SampleProposals.Pending(from, to, alternative: null, name: name) is var p
            ? p with
            {
                Metadata = p.Metadata with { Namespace = "feed" },
                Spec = p.Spec with { Group = group, Target = new TargetRef { Kind = TargetRef.DeploymentKind, Name = name } },
            }
            : p;

    [Fact]
    public void Build_AmendedProposal_SaysWhenAndHowTheTargetMoved()
    {
        var amended = SampleProposals.Pending().With(SampleProposals.Pending().Status with
        {
            Amendments =
            [
                new AmendmentRecord { At = SampleProposals.Created.AddSeconds(30), FromTarget = 40, ToTarget = 50 },
                new AmendmentRecord { At = SampleProposals.Created.AddSeconds(65), FromTarget = 50, ToTarget = 60 },
            ],
        });

        Assert.Equal("updated 10:33:05 UTC: 50 → 60 (2 updates)", s_content.Build(amended)[V.Updated]);
        Assert.Equal("", s_content.Build(SampleProposals.Pending())[V.Updated]);
    }

    [Fact]
    public void BuildGroup_ThreePendingRows_OneTitleARowEachAndApproveAllStatus()
    {
        var card = s_content.BuildGroup([Row("gateway", 4, 8), Row("feed-service", 3, 6), Row("comments", 2, 4)]);

        Assert.Equal("feed-chain: 3 services scale together (9 → 18 replicas)", card[V.Title]);
        Assert.Equal(ApprovalCardContent.GroupPending, card[V.Status]);
        Assert.Equal("+9 pods", card[V.CostDelta]);
        Assert.Equal("", card[V.HalfStepTo]);
        var rows = card[V.Rows].Split('\n');
        Assert.Equal(3, rows.Length);
        Assert.StartsWith("**feed/gateway** 4 → 8 · pending", rows[0], StringComparison.Ordinal);
        Assert.StartsWith("3 of 3 waiting for approval, expires ", card[V.StatusText], StringComparison.Ordinal);
    }

    [Fact]
    public void BuildGroup_WaitingRows_OneRoomLineForThemTogether()
    {
        // 3 CPU free on one node: each row alone fits (4 × 0.5 CPU); together two of the eight pods would wait.
        var cluster = new ClusterRoom([new NodeRoom("n1", 8000, 32L << 30, 110, 5000, 0, 0)]);
        ScaleProposal WithRoom(ScaleProposal row) =>
            row with { Spec = row.Spec with { Capacity = CapacityCalculator.Estimate(row.Spec.FromReplicas, row.Spec.ToReplicas, new PodResources(500, 1L << 30), cluster, CostPrices.None, SampleProposals.Created) } };

        var card = s_content.BuildGroup([WithRoom(Row("gateway", 2, 6)), WithRoom(Row("feed-service", 2, 6))]);
        var without = s_content.BuildGroup([Row("gateway", 2, 6), Row("feed-service", 2, 6)]);

        Assert.Equal("room: 6 of 8 fit — 2 would stay Pending (the rows counted together)", card[V.Room]);
        Assert.Equal("", without[V.Room]); // no estimate on a row: no line rather than a wrong one
    }

    [Fact]
    public void BuildGroup_RowSupersededByAPin_SaysThePinsReplicasAndWhoInsteadOfNoChange()
    {
        var content = new ApprovalCardContent(TimeZoneInfo.Utc, null, new Dictionary<string, string> { ["u-zhang"] = "Zhang San" });
        var pinned = Row("gateway", 2, 4) is var g
            ? g.With(g.Status with
            {
                Phase = ProposalPhase.Superseded,
                SupersededBy = "gateway-pin",
                Supersession = new SupersessionRecord { Action = "pin", ToReplicas = 8, By = "u-zhang" },
            })
            : g;
        var newer = Row("comments", 2, 4) is var c ? c.With(c.Status with { Phase = ProposalPhase.Superseded, SupersededBy = "comments-next" }) : c;

        var card = content.BuildGroup([pinned, newer, Row("feed-service", 3, 6)]);

        var results = card[V.Result].Split('\n');
        Assert.Equal("gateway: superseded by a pin to 8 by Zhang San", results[0]);
        Assert.Equal("comments: superseded by comments-next; no change", results[1]); // a newer proposal still waits: nothing changed yet
    }

    [Fact]
    public void Build_SingleCardSupersededByAPin_StatusAndResultNameThePin()
    {
        var content = new ApprovalCardContent(TimeZoneInfo.Utc, null, new Dictionary<string, string> { ["u-zhang"] = "Zhang San" });
        var row = Row("gateway", 2, 4, group: null) is var g
            ? g.With(g.Status with
            {
                Phase = ProposalPhase.Superseded,
                SupersededBy = "gateway-pin",
                Supersession = new SupersessionRecord { Action = "pin", ToReplicas = 8, By = "u-zhang" },
            })
            : g;

        var card = content.Build(row);

        Assert.Equal("Superseded by a pin", card[V.StatusText]);
        Assert.Equal("superseded by a pin to 8 by Zhang San", card[V.Result]);
    }

    [Fact]
    public void BuildGroup_WaitingRowsWithEstimates_CostLineSumsTheirPodsCpuMemoryAndCost()
    {
        var gateway = WithEstimate(Row("gateway", 4, 8), new PodResources(500, 1L << 30));
        var feed = WithEstimate(Row("feed-service", 3, 6), new PodResources(1000, 2L << 30));
        var applied = WithEstimate(Row("comments", 2, 4), new PodResources(1000, 1L << 30)) is var c
            ? c.With(c.Status with { Phase = ProposalPhase.Applied, AppliedReplicas = 4 })
            : c;

        var card = s_content.BuildGroup([gateway, feed, applied]);

        // 4 × (0.5 CPU, 1 GiB) + 3 × (1 CPU, 2 GiB) at ¥2.40 per CPU hour; the applied row is no longer asked for.
        Assert.Equal("+7 pods · +5 CPU, +10 GiB · ≈ ¥12.00/h", card[V.CostDelta]);
    }

    [Fact]
    public void BuildGroup_AWaitingRowWithoutEstimate_CostLineFallsBackToPodsOnly()
    {
        var gateway = WithEstimate(Row("gateway", 4, 8), new PodResources(500, 1L << 30));

        var card = s_content.BuildGroup([gateway, Row("feed-service", 3, 6)]);

        Assert.Equal("+7 pods", card[V.CostDelta]); // a CPU total missing one row's share would read as the whole
    }

    private static ScaleProposal WithEstimate(ScaleProposal row, PodResources pod) => row with
    {
        Spec = row.Spec with
        {
            Capacity = CapacityCalculator.Estimate(row.Spec.FromReplicas, row.Spec.ToReplicas, pod,
                new ClusterRoom([new("n1", 64000, 256L << 30, 110, 0, 0, 0)]), new(CpuHour: 2.4m, Currency: "¥"), SampleProposals.Created),
        },
    };

    [Fact]
    public void BuildGroup_HotEventAndItsReturnToNormal_OneWorkloadsCardWithTheWayBackWaiting()
    {
        var scaleUp = Row("checkout-api", 3, 12, group: null) is var up ? up.With(up.Status with { Phase = ProposalPhase.Applied, AppliedReplicas = 12 }) : up;
        var back = Row("checkout-api", 12, 3, group: null) is var b
            ? b with
            {
                Metadata = b.Metadata with { Annotations = new Dictionary<string, string> { [ReturnToNormalRules.ReturnOfAnnotation] = scaleUp.Metadata.Name } },
                Spec = b.Spec with { Reason = "return to normal: 12 → pre-event 3; demand has fit 3 replicas for 15m", ExpiresAt = b.Spec.ExpiresAt.AddMinutes(30) },
            }
            : b;

        var card = s_content.BuildGroup([scaleUp, back]);

        Assert.Equal("feed/checkout-api: 12 → 3 replicas (return to normal)", card[V.Title]);
        Assert.Equal("feed/checkout-api", card[V.Workload]);
        Assert.Equal("", card[V.Group]);
        Assert.Equal(back.Spec.Reason, card[V.Reason]);
        Assert.Equal("-9 pods", card[V.CostDelta]);
        Assert.Equal(ApprovalCardContent.GroupPending, card[V.Status]);
        var rows = card[V.Rows].Split('\n');
        Assert.StartsWith("**feed/checkout-api** 3 → 12 · applied", rows[0], StringComparison.Ordinal);
        Assert.StartsWith("**feed/checkout-api** 12 → 3 · pending · return to normal", rows[1], StringComparison.Ordinal);
        Assert.Equal($"1 of 2 waiting for approval, expires {s_content.Time(back.Spec.ExpiresAt)}", card[V.StatusText]); // the waiting row's, not the event's
    }

    [Fact]
    public void BuildGroup_GroupAfterItsEvent_CountsEachServiceOnceWithItsLatestStep()
    {
        Assert.Equal("feed-chain: 2 services scale together (14 → 6 replicas)",
            s_content.BuildGroup([Row("gateway", 4, 8), Row("comments", 2, 6), Row("gateway", 8, 4), Row("comments", 6, 2)])[V.Title]);
    }

    [Fact]
    public void BuildGroup_RowItems_GiveEachRowItsKeyCountsAndPhaseForThePerRowButtons()
    {
        var applied = Row("gateway", 4, 8) is var g ? g.With(g.Status with { Phase = ProposalPhase.Applied }) : g;

        var card = s_content.BuildGroup([applied, Row("comments", 2, 4)]);

        using var items = System.Text.Json.JsonDocument.Parse(card[V.RowItems]);
        var rows = items.RootElement.EnumerateArray().ToList();
        Assert.Equal(2, rows.Count);
        Assert.Equal(("feed/gateway", "applied"), (rows[0].GetProperty("key").GetString(), rows[0].GetProperty("status").GetString()));
        Assert.Equal(("feed/comments", "2", "4", "pending"),
            (rows[1].GetProperty("workload").GetString(), rows[1].GetProperty("from").GetString(), rows[1].GetProperty("to").GetString(), rows[1].GetProperty("status").GetString()));
        Assert.Equal("", s_content.Build(SampleProposals.Pending())[V.RowItems]);
    }

    [Fact]
    public void BuildGroup_AllSeen_NamesThePendingRowsWithTheTargetsShown()
    {
        var applied = Row("gateway", 4, 8) is var g ? g.With(g.Status with { Phase = ProposalPhase.Applied }) : g;

        var card = s_content.BuildGroup([applied, Row("comments", 2, 4), Row("feed", 3, 9)]);

        Assert.Equal("feed/comments=4,feed/feed=9", card[V.AllSeen]);
        Assert.True(GroupCardRows.TryParseSeen(card[V.AllSeen], out var seen));
        Assert.Equal(2, seen.Count);
        Assert.Equal("", s_content.Build(SampleProposals.Pending())[V.AllSeen]);
    }

    [Fact]
    public void BuildGroup_ManyRows_RowItemsStayValidJsonWithinTheValueLimit()
    {
        var rows = Enumerable.Range(0, 30).Select(i => Row($"service-with-a-long-name-{i:00}", 2, 4)).ToList();

        var json = s_content.BuildGroup(rows)[V.RowItems];

        Assert.True(System.Text.Encoding.UTF8.GetByteCount(json) <= 1024);
        using var items = System.Text.Json.JsonDocument.Parse(json);
        Assert.InRange(items.RootElement.GetArrayLength(), 1, 29);
    }

    [Fact]
    public void BuildGroup_AllApplied_ShowsWhoAndWhenPerRow()
    {
        var at = SampleProposals.Created.AddMinutes(1);
        ScaleProposal Applied(ScaleProposal p) => p.With(p.Status with
        {
            Phase = ProposalPhase.Applied,
            AppliedReplicas = p.Spec.ToReplicas,
            AppliedAt = at,
            Approvals = [new ApprovalRecord { User = "zhangsan", Channel = ApprovalChannel.DingTalk, At = at, Replicas = p.Spec.ToReplicas }],
        });

        var card = s_content.BuildGroup([Applied(Row("gateway", 4, 8)), Applied(Row("feed-service", 3, 6))]);

        Assert.Equal("applied", card[V.Status]);
        Assert.Equal("zhangsan", card[V.DecidedBy]);
        Assert.Equal("10:33:00 UTC", card[V.DecidedAt]);
        Assert.Equal("gateway: applied 4 → 8 at 10:33:00 UTC\nfeed-service: applied 3 → 6 at 10:33:00 UTC", card[V.Result]);
    }

    [Fact]
    public void Build_GroupProposalAlone_IsAGroupCardOfOneRow() =>
        Assert.Equal(ApprovalCardContent.GroupPending, s_content.Build(Row("gateway", 4, 8))[V.Status]);

    [Fact]
    public void BuildGroup_AppliedRows_OfferUndoAllUntilEachIsUndone_ThenSayWhoAndBackToWhat()
    {
        static ScaleProposal Applied(ScaleProposal row, UndoRecord? undo = null) =>
            row.With(row.Status with { Phase = ProposalPhase.Applied, AppliedReplicas = row.Spec.ToReplicas, AppliedAt = SampleProposals.Created.AddMinutes(1), Undo = undo });
        var undone = new UndoRecord { By = "zhangsan", At = SampleProposals.Created.AddMinutes(5), Replicas = 4, Proposal = "gateway-undo" };

        var applied = s_content.BuildGroup([Applied(Row("gateway", 4, 8)), Applied(Row("feed-service", 3, 6)), Row("comments", 2, 4)]);
        var afterUndo = s_content.BuildGroup([Applied(Row("gateway", 4, 8), undone), Applied(Row("feed-service", 3, 6), undone with { Replicas = 3 })]);

        Assert.Equal("2", applied[V.UndoAll]);
        Assert.Equal("", applied[V.UndoTo]);
        Assert.Equal("", afterUndo[V.UndoAll]);
        Assert.Contains("gateway: applied 4 → 8 at 10:33:00 UTC; undone by zhangsan at 10:37:00 UTC: back to 4", afterUndo[V.Result], StringComparison.Ordinal);
        Assert.Equal("", s_content.Build(SampleProposals.Pending())[V.UndoAll]);
    }

    [Fact]
    public void BuildGroup_ARowsWorkloadMovedOn_ItLeavesUndoAll_AndItsRowSaysWhy()
    {
        static ScaleProposal Applied(ScaleProposal row, UndoWithdrawal? withdrawn = null) =>
            row.With(row.Status with { Phase = ProposalPhase.Applied, AppliedReplicas = row.Spec.ToReplicas, AppliedAt = SampleProposals.Created.AddMinutes(1), UndoWithdrawn = withdrawn });
        var pinned = new UndoWithdrawal
        {
            Cause = UndoWithdrawalCause.NewerChange, At = SampleProposals.Created.AddMinutes(20), Replicas = 12, Proposal = "gateway-pin", Action = "pin", By = ["zhangsan"],
            Message = "feed/gateway moved to 12 by a pin by zhangsan at 10:52:00 UTC",
        };
        var content = new ApprovalCardContent(TimeZoneInfo.Utc, null, new Dictionary<string, string> { ["zhangsan"] = "Zhang San" });

        var card = content.BuildGroup([Applied(Row("gateway", 4, 8), pinned), Applied(Row("feed-service", 3, 6))]);
        var single = content.Build(Applied(Row("gateway", 4, 8, group: null), pinned));

        Assert.Equal("1", card[V.UndoAll]); // feed-service's change still is the workload's latest
        Assert.Contains("gateway: applied 4 → 8 at 10:33:00 UTC. Undo no longer offered: feed/gateway moved to 12 by a pin by Zhang San at 10:52:00 UTC", card[V.Result], StringComparison.Ordinal);
        Assert.DoesNotContain("feed-service: applied 3 → 6 at 10:33:00 UTC.", card[V.Result], StringComparison.Ordinal);
        Assert.Equal("", single[V.UndoTo]);
        Assert.EndsWith("Undo no longer offered: feed/gateway moved to 12 by a pin by Zhang San at 10:52:00 UTC", single[V.Result], StringComparison.Ordinal);
    }
}
