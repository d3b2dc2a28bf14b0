using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using ScaleControl.Core.Capacity;
using ScaleControl.Core.Policies;
using ScaleControl.Core.Ports;
using ScaleControl.Core.Proposals;
using ScaleControl.Server.Control.Loop;
using ScaleControl.Server.Control.Queries;
using ScaleControl.Server.Tests.Infrastructure;
using static ScaleControl.Server.Tests.Infrastructure.ServerFactory;

namespace ScaleControl.Server.Tests.Control;

/// <summary>
/// An applied change can be taken back (one Core rule for the card, scalectl and the API), and every proposal carries
/// what the change costs and whether the cluster has room for it.
/// </summary>
public sealed class UndoAndCapacityTests : IDisposable
{
    private const long GiB = 1L << 30;
    private readonly ServerFactory _server = new();

    public void Dispose() => _server.Dispose();

    [Fact]
    public async Task Undo_ByAnApproverFromTheCard_BackToTheStartRecordedAndTheSameStepIsHeld()
    {
        var applied = await GivenAppliedScaleUpAsync(); // 4 → 10 approved by zhangsan

        var result = await Undo(applied, "lisi", ApprovalChannel.DingTalk);

        Assert.Equal(UndoResultKind.Applied, result.Kind);
        Assert.Equal(4, _server.Workloads.Replicas("shop", "checkout-api"));
        var undo = result.Proposal!;
        Assert.Equal((10, 4, ProposalPhase.Applied), (undo.Spec.FromReplicas, undo.Spec.ToReplicas, undo.Status.Phase));
        Assert.Equal(("lisi", ApprovalChannel.DingTalk), (undo.Status.Approvals.Single().User, undo.Status.Approvals.Single().Channel));
        var original = await _server.Proposals.GetAsync("shop", applied.Metadata.Name, default);
        Assert.Equal(("lisi", undo.Metadata.Name, 4), (original!.Status.Undo!.By, original.Status.Undo.Proposal, original.Status.Undo.Replicas));
        var history = await _server.Service<HistoryService>().ListAsync("shop", _server.Time.GetUtcNow().AddHours(-1), _server.Time.GetUtcNow(), default);
        Assert.Contains(history, e => e.Kind == HistoryKind.Undone && e.By == "lisi" && e.Channel == "DingTalk" && e.To == 4);

        // Traffic is still high, but the group just said no to this step: nothing is proposed again.
        var cardsBefore = _server.Cards.Sent.Count;
        await Tick(seconds: 10);
        Assert.Equal(cardsBefore, _server.Cards.Sent.Count);
        Assert.Contains(_server.Cards.Updates, u => u.Metadata.Name == applied.Metadata.Name && u.Status.Undo?.By == "lisi"); // the card says it was undone
        Assert.DoesNotContain(await _server.Proposals.ListAsync("shop", default), p => p.Status.Phase == ProposalPhase.Pending);
    }

    [Fact]
    public async Task Undo_WhileANewerCardAsksForMore_RefusedUntilThatIsDecided()
    {
        var applied = await GivenAppliedScaleUpAsync(); // 4 → 10
        _server.Metrics.Set(TestPolicies.Query("checkout-api"), 2000);
        await Tick(seconds: 60);
        var further = Assert.Single(await _server.Proposals.ListAsync("shop", default), p => p.Status.Phase == ProposalPhase.Pending);
        Assert.Equal((10, 20), (further.Spec.FromReplicas, further.Spec.ToReplicas));
        var writes = _server.Workloads.Writes.Count;

        var stale = await Undo(applied, "lisi", ApprovalChannel.DingTalk);

        Assert.Equal(UndoResultKind.Refused, stale.Kind);
        Assert.Contains($"the traffic moved on: proposal {further.Metadata.Name} asks 10 → 20 now and waits for approval; undo would go back to 4", stale.Message, StringComparison.Ordinal);
        Assert.Equal(writes, _server.Workloads.Writes.Count);
        Assert.Equal(ProposalPhase.Pending, (await _server.Proposals.GetAsync("shop", further.Metadata.Name, default))!.Status.Phase);

        // Once the newer question is answered, the undo goes ahead.
        await _server.Service<IApprovalInbox>().DecideAsync(new ApprovalCommand("shop", further.Metadata.Name, "lisi", ApprovalChannel.DingTalk, false, Reason: "bot traffic"), default);
        Assert.Equal(UndoResultKind.Applied, (await Undo(applied, "lisi", ApprovalChannel.DingTalk)).Kind);
        Assert.Equal(4, _server.Workloads.Replicas("shop", "checkout-api"));
    }

    [Fact]
    public async Task Undo_AfterTheNextStepWasRejected_TheRejectStillHolds_NoCardAsksForWhatWasJustRejected()
    {
        // Live: zhangsan rejected 16 → 25, then undid the 6 → 16 before it; only the newest "no" (the undo, sized for
        // 16) was read, and a card asked 6 → 26 four seconds later, within the 25 he had just rejected.
        var applied = await GivenAppliedScaleUpAsync(); // 4 → 10
        _server.Metrics.Set(TestPolicies.Query("checkout-api"), 2000);
        await Tick(seconds: 60);
        var further = Assert.Single(await _server.Proposals.ListAsync("shop", default), p => p.Status.Phase == ProposalPhase.Pending);
        Assert.Equal((10, 20), (further.Spec.FromReplicas, further.Spec.ToReplicas));
        await _server.Service<IApprovalInbox>().DecideAsync(new ApprovalCommand("shop", further.Metadata.Name, "lisi", ApprovalChannel.DingTalk, false, Reason: "bot traffic"), default);
        Assert.Equal(UndoResultKind.Applied, (await Undo(applied, "lisi", ApprovalChannel.DingTalk)).Kind);
        var cards = _server.Cards.Sent.Count;

        await Tick(seconds: 10);
        await Tick(seconds: 10);

        Assert.DoesNotContain(await _server.Proposals.ListAsync("shop", default), p => p.Status.Phase == ProposalPhase.Pending);
        Assert.Equal(cards, _server.Cards.Sent.Count);
        Assert.Equal(4, _server.Workloads.Replicas("shop", "checkout-api"));
        var status = Assert.Single((await _server.Service<StatusService>().GetAsync(default)).Policies, p => p.Name == "checkout-api");
        Assert.Contains("held after lisi rejected 10 → 20", status.Held, StringComparison.Ordinal);

        // More than the rejected step was sized for: asked again, as after a single reject.
        _server.Metrics.Set(TestPolicies.Query("checkout-api"), 3000);
        await Tick(seconds: 10);
        Assert.Single(await _server.Proposals.ListAsync("shop", default), p => p.Status.Phase == ProposalPhase.Pending);
    }

    [Fact]
    public async Task Undo_WorkloadMovedSince_RefusedAsStale_NothingWritten()
    {
        var applied = await GivenAppliedScaleUpAsync();
        _server.Workloads.Add("shop", "checkout-api", 12); // someone scaled it by hand
        var writes = _server.Workloads.Writes.Count;

        var result = await Undo(applied, "zhangsan");

        Assert.Equal(UndoResultKind.Refused, result.Kind);
        Assert.Contains("the workload has moved since: it runs 12 now, the change left 10", result.Message, StringComparison.Ordinal);
        Assert.Equal(writes, _server.Workloads.Writes.Count);
    }

    [Fact]
    public async Task Undo_ByANonApprover_BecomesAProposalOnItsOwnCard_ApprovingItMarksTheOriginal()
    {
        var applied = await GivenAppliedScaleUpAsync();

        var result = await Undo(applied, "wangwu", ApprovalChannel.Api);

        Assert.Equal(UndoResultKind.Proposed, result.Kind);
        Assert.Equal(10, _server.Workloads.Replicas("shop", "checkout-api"));
        var pending = result.Proposal!;
        Assert.Equal(ProposalPhase.Pending, pending.Status.Phase);
        Assert.Contains(_server.Cards.Sent, c => c.Metadata.Name == pending.Metadata.Name);
        Assert.Equal(UndoResultKind.Refused, (await Undo(applied, "wangwu")).Kind); // one undo at a time

        var approval = await _server.Service<IApprovalInbox>().DecideAsync(new ApprovalCommand("shop", pending.Metadata.Name, "zhangsan", ApprovalChannel.DingTalk, true), default);

        Assert.Equal(ApprovalResultKind.Accepted, approval.Kind);
        Assert.Equal(4, _server.Workloads.Replicas("shop", "checkout-api"));
        Assert.Equal("wangwu", (await _server.Proposals.GetAsync("shop", applied.Metadata.Name, default))!.Status.Undo!.By);
    }

    [Fact]
    public async Task Undo_OnAPolicyWithoutRoster_FromTheCard_OnlyAnOperatorOfTheNamespace_AViewerChangesNothing()
    {
        // Live: wangwu (a viewer, refused `undo` in chat) tapped an automatic card's Undo all and both steps were taken back.
        _server.Workloads.Add("video", "video-transcoder", 3);
        await _server.Policies.UpsertAsync(TestPolicies.Auto(), default);
        _server.Metrics.Set(TestPolicies.Query("video-transcoder"), 800);
        await Tick();
        var step = Assert.Single(await _server.Proposals.ListAsync("video", default), p => p.Status.Phase == ProposalPhase.Applied);
        var scaled = _server.Workloads.Replicas("video", "video-transcoder");
        Assert.True(scaled > 3, $"the automatic step scaled to {scaled}");
        var undos = _server.Service<IUndoInbox>();

        var viewer = await undos.UndoAsync(new UndoOrder("video", step.Metadata.Name, "wangwu", ApprovalChannel.DingTalk, "tapped"), default);
        var elsewhere = await undos.UndoAsync(new UndoOrder("video", step.Metadata.Name, "lisi", ApprovalChannel.DingTalk, "tapped"), default); // operator in shop only

        Assert.Equal((UndoResultKind.Refused, UndoResultKind.Refused), (viewer.Kind, elsewhere.Kind));
        Assert.Contains("only an operator in `video` (ScaleControl:Auth:People) may undo its changes, and wangwu is not one", viewer.Message, StringComparison.Ordinal);
        Assert.Equal(scaled, _server.Workloads.Replicas("video", "video-transcoder"));
        Assert.Single(await _server.Proposals.ListAsync("video", default));

        var operatorUndo = await undos.UndoAsync(new UndoOrder("video", step.Metadata.Name, "zhangsan", ApprovalChannel.DingTalk, "tapped"), default);

        Assert.Equal(UndoResultKind.Applied, operatorUndo.Kind);
        Assert.Equal(3, _server.Workloads.Replicas("video", "video-transcoder"));
    }

    [Fact]
    public async Task Undo_FrozenOrTooLate_RefusedWithTheReason()
    {
        var applied = await GivenAppliedScaleUpAsync();
        var policy = (await _server.Policies.GetAsync("shop", "checkout-api", default))!;
        await _server.Policies.UpsertAsync(policy with { Spec = policy.Spec with { Freeze = new FreezeSpec { Until = _server.Time.GetUtcNow().AddMinutes(30), Reason = "release", By = "lisi" } } }, default);

        var frozen = await Undo(applied, "zhangsan");
        _server.Time.Advance(TimeSpan.FromHours(3));
        var late = await Undo(applied, "zhangsan");

        Assert.Contains("frozen until", frozen.Message, StringComparison.Ordinal);
        Assert.Contains("undo is offered for 120 minutes", late.Message, StringComparison.Ordinal);
        Assert.Equal(10, _server.Workloads.Replicas("shop", "checkout-api"));
    }

    [Fact]
    public async Task UndoApi_ApproverGets200_SecondTry409WithTheReason()
    {
        var applied = await GivenAppliedScaleUpAsync();
        using var client = _server.ClientWith(LisiToken);

        using var first = await client.PostAsJsonAsync($"/api/v1/proposals/shop/{applied.Metadata.Name}/undo", new { reason = "event over" });
        using var second = await client.PostAsJsonAsync($"/api/v1/proposals/shop/{applied.Metadata.Name}/undo", new { reason = "again" });
        using var tooLong = await client.PostAsJsonAsync($"/api/v1/proposals/shop/{applied.Metadata.Name}/undo", new { reason = new string('x', 1001) });

        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        var body = JsonNode.Parse(await first.Content.ReadAsStringAsync())!;
        Assert.Equal("Applied", body["result"]!.GetValue<string>());
        Assert.Contains("event over", body["proposal"]!["spec"]!["reason"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Conflict, second.StatusCode);
        Assert.Contains("already undone by lisi", await second.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.BadRequest, tooLong.StatusCode);
        Assert.Contains("reason", await tooLong.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task UndoApi_NamedByTheWorkload_UndoesItsNewestChange_AndNotTheUndoAfterIt()
    {
        // Live: the chat's `undo shop/checkout-api` worked, `scalectl undo shop/checkout-api` answered 404 "ScaleProposal
        // shop/checkout-api does not exist".
        var applied = await GivenAppliedScaleUpAsync(); // 4 → 10
        using var client = _server.ClientWith(LisiToken);

        using var first = await client.PostAsJsonAsync("/api/v1/proposals/shop/checkout-api/undo", new { reason = "event over" });
        var body = JsonNode.Parse(await first.Content.ReadAsStringAsync())!;
        Assert.True(first.StatusCode == HttpStatusCode.OK, body.ToJsonString());
        Assert.Equal(applied.Metadata.Name, body["proposal"]!["metadata"]!["annotations"]![ProposalFactory.UndoOfAnnotation]!.GetValue<string>());
        Assert.Equal(4, _server.Workloads.Replicas("shop", "checkout-api"));

        // Sent again, the workload's newest change is the undo: taking it back would scale up again. Refused, naming it.
        var writes = _server.Workloads.Writes.Count;
        using var second = await client.PostAsJsonAsync("/api/v1/proposals/shop/checkout-api/undo", new { reason = "event over" });
        var refused = await second.Content.ReadAsStringAsync();
        Assert.True(second.StatusCode == HttpStatusCode.Conflict, refused);
        Assert.Contains("the latest change of shop/checkout-api is already an undo: 10 → 4 by lisi", refused, StringComparison.Ordinal);
        Assert.Contains($"name it: shop/{body["proposal"]!["metadata"]!["name"]!.GetValue<string>()}", refused, StringComparison.Ordinal);
        Assert.Equal((4, writes), (_server.Workloads.Replicas("shop", "checkout-api"), _server.Workloads.Writes.Count));

        using var unknown = await client.PostAsJsonAsync("/api/v1/proposals/shop/no-such-workload/undo", new { reason = "x" });
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
    }

    [Fact]
    public async Task Proposal_CarriesCostAndRoom_FromRequestsNodesAndPrices()
    {
        _server.Cluster.Room = new ClusterRoom([Node("n1", usedCpu: 7000), Node("n2", usedCpu: 6500)]); // 2.5 CPU free
        await GivenLoadAsync(requests: new PodResources(500, GiB));

        await Tick();

        var proposal = Assert.Single(await _server.Proposals.ListAsync("shop", default));
        var capacity = proposal.Spec.Capacity!;
        Assert.Equal("+6 pods · +3 CPU, +6 GiB · ≈ ¥9.60/h", capacity.ChangeText);
        Assert.Equal("room: 5 of 6 fit — 1 would stay Pending (needs ~1 more node)", capacity.RoomText);
        using var client = _server.ClientWith(ViewerToken);
        var view = JsonNode.Parse(await client.GetStringAsync($"/api/v1/proposals/shop/{proposal.Metadata.Name}"))!;
        Assert.Equal(capacity.RoomText, view["spec"]!["capacity"]!["roomText"]!.GetValue<string>());
        Assert.Equal(5, view["spec"]!["capacity"]!["fitting"]!.GetValue<int>());
    }

    [Fact]
    public async Task Proposal_NodesNotReadable_StillMade_RoomUnknown()
    {
        _server.Cluster.Room = ClusterRoom.NotKnown("no permission to list nodes and pods");
        await GivenLoadAsync(requests: new PodResources(500, GiB));

        await Tick();

        var proposal = Assert.Single(await _server.Proposals.ListAsync("shop", default));
        Assert.Single(_server.Cards.Sent);
        Assert.Equal("room: unknown (no permission to list nodes and pods)", proposal.Spec.Capacity!.RoomText);
        Assert.Equal("+6 pods · +3 CPU, +6 GiB · ≈ ¥9.60/h", proposal.Spec.Capacity.ChangeText);
    }

    [Fact]
    public async Task Proposal_NoRequestsKnown_PodsOnly_NodesNotRead()
    {
        await GivenLoadAsync(requests: null);

        await Tick();

        var proposal = Assert.Single(await _server.Proposals.ListAsync("shop", default));
        Assert.Equal("+6 pods", proposal.Spec.Capacity!.ChangeText);
        Assert.Equal(0, _server.Cluster.Reads);
    }

    [Fact]
    public async Task Pin_AboveTheClustersRoom_RecordedAnyway_TheWarningAndTheNoticeSaySo()
    {
        // Seen in a walkthrough: a pin past the nodes' free room went through without a word, and its pods sat Pending.
        _server.Cluster.Room = new ClusterRoom([Node("n1", usedCpu: 7000), Node("n2", usedCpu: 6500)]); // 2.5 CPU free: 5 pods of 0.5 CPU
        _server.Workloads.Add("shop", "checkout-api", 4, requests: new PodResources(500, GiB));
        await _server.Policies.UpsertAsync(TestPolicies.Approval(), default);
        using var client = _server.ClientWith(ZhangsanToken);

        using var fits = await client.PostJson("/api/v1/workloads/shop/checkout-api/pin", new { replicas = 6, durationSeconds = 1800, reason = "gala" });
        using var beyond = await client.PostJson("/api/v1/workloads/shop/checkout-api/pin", new { replicas = 12, durationSeconds = 1800, reason = "gala" });

        Assert.Equal((HttpStatusCode.OK, HttpStatusCode.OK), (fits.StatusCode, beyond.StatusCode));
        Assert.Empty(fits.Headers.Warning); // +2 pods fit: nothing to say
        const string Room = "room: only 5 of the 6 pods this pin adds fit on the nodes now; 1 would stay Pending (needs ~1 more node)";
        Assert.Equal($"\"{Room}\"", Assert.Single(beyond.Headers.Warning).Text);
        Assert.Equal(12, (await _server.Policies.GetAsync("shop", "checkout-api", default))!.Spec.Pin!.Replicas); // recorded: nodes may be coming
        Assert.Equal(12, _server.Workloads.Replicas("shop", "checkout-api"));
        Assert.Contains("only 5 of the 6 pods this pin adds fit on the nodes now; 1 would stay Pending", _server.Notices.Published.Last(n => n.Kind == NoticeKind.Pinned).Markdown, StringComparison.Ordinal);
        var pin = Assert.Single(await _server.Proposals.ListAsync("shop", default), p => p.Spec.ToReplicas == 12);
        Assert.Equal("room: 5 of 6 fit — 1 would stay Pending (needs ~1 more node)", pin.Spec.Capacity!.RoomText); // the same estimate as the proposal's
    }

    [Fact]
    public async Task PinRequest_AboveTheClustersRoom_The202SaysSoToo()
    {
        _server.Cluster.Room = new ClusterRoom([Node("n1", usedCpu: 8000)], Waiting: [new WaitingPods(new PodResources(500, GiB), 2)]); // full, 2 already waiting
        _server.Workloads.Add("shop", "checkout-api", 4, requests: new PodResources(500, GiB));
        await _server.Policies.UpsertAsync(TestPolicies.Approval(), default);
        using var admin = _server.ClientWith(AdminToken); // not on the roster: the pin waits for an approver

        using var requested = await admin.PostJson("/api/v1/workloads/shop/checkout-api/pin", new { replicas = 7, durationSeconds = 600, reason = "storm" });

        Assert.Equal(HttpStatusCode.Accepted, requested.StatusCode);
        Assert.Equal("\"room: none of the 3 pods this pin adds fit on the nodes now, after 2 pods already Pending; 3 would stay Pending (needs ~1 more node)\"",
            Assert.Single(requested.Headers.Warning).Text);
    }

    private static NodeRoom Node(string name, long usedCpu) => new(name, 8000, 32 * GiB, 110, usedCpu, 0, 10);

    private async Task GivenLoadAsync(PodResources? requests)
    {
        _server.Workloads.Add("shop", "checkout-api", 4, requests: requests);
        await _server.Policies.UpsertAsync(TestPolicies.Approval(), default);
        _server.Metrics.Set(TestPolicies.Query("checkout-api"), 1000); // 100 qps per pod → 10
    }

    /// <summary>A 4 → 10 scale-up proposed under load and approved by zhangsan on the card.</summary>
    private async Task<ScaleProposal> GivenAppliedScaleUpAsync()
    {
        await GivenLoadAsync(requests: null);
        await Tick();
        var pending = Assert.Single(await _server.Proposals.ListAsync("shop", default));
        var approved = await _server.Service<IApprovalInbox>().DecideAsync(new ApprovalCommand("shop", pending.Metadata.Name, "zhangsan", ApprovalChannel.DingTalk, true), default);
        Assert.Equal(ProposalPhase.Applied, approved.Proposal!.Status.Phase);
        Assert.Equal(10, _server.Workloads.Replicas("shop", "checkout-api"));
        return approved.Proposal;
    }

    private Task<UndoResult> Undo(ScaleProposal applied, string user, ApprovalChannel channel = ApprovalChannel.Cli) =>
        _server.Service<IUndoInbox>().UndoAsync(new UndoOrder("shop", applied.Metadata.Name, user, channel, "event over"), default);

    private Task Tick(int seconds = 0)
    {
        _server.Time.Advance(TimeSpan.FromSeconds(seconds));
        return _server.Service<Reconciler>().TickAsync(default);
    }
}
