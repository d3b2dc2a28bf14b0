using ScaleControl.Core.Policies;
using ScaleControl.Core.Ports;
using ScaleControl.Core.Proposals;
using ScaleControl.Server.Tests.Infrastructure;
using static ScaleControl.Server.Tests.Infrastructure.ServerFactory;
using ScaleControl.Server.Control.Loop;
using ScaleControl.Server.Control.Overrides;

namespace ScaleControl.Server.Tests.Control;

/// <summary>Services that scale together share one card: a row each, Approve all, one DING, one expiry.</summary>
public sealed class GroupCardTests : IDisposable
{
    private static readonly string[] s_chain = GroupCardChain.Services;
    private readonly ServerFactory _server = new();

    public void Dispose() => _server.Dispose();

    [Fact]
    public async Task HotEvent_ThreeServicesOfOneGroup_OneCardThreeRowsOneDingOneExpiry()
    {
        await GivenChainUnderLoad();

        await Tick();

        var rows = await Open();
        Assert.Equal(3, rows.Count);
        Assert.Single(_server.Cards.Sent);
        Assert.Single(rows.Select(r => r.Status.Card!.OutTrackId).Distinct());
        Assert.Single(rows.Select(r => r.Spec.ExpiresAt).Distinct());
        Assert.Single(rows.Select(r => r.Spec.EscalateAt).Distinct());
        Assert.Equal(3, _server.Cards.GroupUpdates.Last().Count);

        await Tick(seconds: 125);
        Assert.Equal(3, Assert.Single(_server.Cards.EscalatedRows).Count); // one DING naming the three
        Assert.All(await Open(), r => Assert.Single(r.Status.Escalations));
        await Tick(seconds: 5);
        Assert.Single(_server.Cards.Escalations);
    }

    [Fact]
    public async Task FirstRowDecided_NobodyDecidesTheRest_TheRestAreStillDinged()
    {
        // The group's DING hung on its first row only (seen live in its rows' empty escalation times); with that row approved (or pinned) before the DING was
        // due, the rows left pending were never escalated.
        await GivenChainUnderLoad();
        await Tick();
        var rows = (await Open()).OrderBy(ProposalFactory.CreatedAt).ToList();
        var lead = rows.Single(r => r.Status.Card!.OutTrackId.EndsWith(r.Metadata.Name, StringComparison.Ordinal));
        await _server.Service<IApprovalInbox>().DecideAsync(new ApprovalCommand("feed", lead.Metadata.Name, "zhangsan", ApprovalChannel.DingTalk, true,
            Replicas: lead.Spec.ToReplicas, Row: $"feed/{lead.Metadata.Name}"), default);

        await Tick(seconds: 125);

        var dinged = Assert.Single(_server.Cards.EscalatedRows);
        Assert.Equal(rows.Where(r => r != lead).Select(r => r.Metadata.Name).Order(), dinged.Select(r => r.Metadata.Name).Order());
        Assert.All(await Open(), r => Assert.Single(r.Status.Escalations));
    }

    [Fact]
    public async Task ApproveAll_OneTap_AllThreeScaledAndTheCardShowsWhoForEveryRow()
    {
        await GivenChainUnderLoad();
        await Tick();
        var lead = (await Open()).OrderBy(ProposalFactory.CreatedAt).First();

        var result = await _server.Service<IApprovalInbox>().DecideAsync(
            new ApprovalCommand(lead.Metadata.Namespace, lead.Metadata.Name, "zhangsan", ApprovalChannel.DingTalk, true, AllRows: true), default);

        Assert.Equal(ApprovalResultKind.Accepted, result.Kind);
        Assert.Contains("3 of 3 rows approved", result.Message, StringComparison.Ordinal);
        Assert.All(s_chain, name => Assert.Equal(10, _server.Workloads.Replicas("feed", name)));
        Assert.Empty(await Open());
        var last = _server.Cards.GroupUpdates.Last();
        Assert.Equal(3, last.Count);
        Assert.All(last, r => Assert.Equal((ProposalPhase.Applied, "zhangsan"), (r.Status.Phase, r.Status.Approvals.Single().User)));
    }

    [Fact]
    public async Task ApproveAll_ByANonApprover_AnsweredOnceNamingWhoMayApprove_NothingChanges()
    {
        // Seen in a storm: "not an approver" came back once per row of the card.
        await GivenChainUnderLoad();
        await Tick();
        var lead = (await Open()).OrderBy(ProposalFactory.CreatedAt).First();

        var result = await _server.Service<IApprovalInbox>().DecideAsync(
            new ApprovalCommand("feed", lead.Metadata.Name, "wangwu", ApprovalChannel.DingTalk, true, AllRows: true), default);

        Assert.Equal(ApprovalResultKind.Refused, result.Kind);
        Assert.Equal("wangwu is not an approver of these rows; approvers: zhangsan, lisi", result.Message);
        Assert.All(s_chain, name => Assert.Equal(4, _server.Workloads.Replicas("feed", name)));
        Assert.Equal(3, (await Open()).Count);
    }

    [Fact]
    public async Task ApproveAll_EveryRowRefusedForTheSameReason_TheReasonIsSaidOnceNamingTheRows()
    {
        // Live (storm walkthrough, Prometheus down): the tapper's private line on the phone said the same 190-character
        // "Not applied: cannot confirm it is still needed: …" three times, once per row.
        await GivenChainUnderLoad();
        await Tick();
        _server.Metrics.Down = "Prometheus unreachable";
        await Tick(seconds: 5);
        var lead = (await Open()).OrderBy(ProposalFactory.CreatedAt).First();

        var result = await _server.Service<IApprovalInbox>().DecideAsync(
            new ApprovalCommand("feed", lead.Metadata.Name, "zhangsan", ApprovalChannel.DingTalk, true, AllRows: true), default);

        Assert.Equal(ApprovalResultKind.Refused, result.Kind);
        Assert.Matches(@"^0 of 3 rows approved: feed/\w+, feed/\w+, feed/\w+: Not applied: cannot confirm it is still needed", result.Message);
        Assert.All(s_chain, name => Assert.Equal(1, CountOf($"feed/{name}", result.Message)));
        Assert.Equal(1, CountOf("cannot confirm", result.Message));
        Assert.Equal(3, (await Open()).Count);
    }

    private static int CountOf(string part, string text) => (text.Length - text.Replace(part, "", StringComparison.Ordinal).Length) / part.Length;

    [Fact]
    public async Task UndoAll_AStrangersUndoWaits_AnApproversUndoTakesItOverAndApplies()
    {
        await GivenChainUnderLoad();
        await Tick();
        var lead = (await Open()).OrderBy(ProposalFactory.CreatedAt).First();
        await _server.Service<IApprovalInbox>().DecideAsync(
            new ApprovalCommand("feed", lead.Metadata.Name, "zhangsan", ApprovalChannel.DingTalk, true, AllRows: true), default);
        var undos = _server.Service<IUndoInbox>();

        var stranger = await undos.UndoAsync(new UndoOrder("feed", lead.Metadata.Name, "wangwu", ApprovalChannel.DingTalk, "tapped", AllRows: true), default);
        Assert.Equal(UndoResultKind.Proposed, stranger.Kind);
        Assert.Contains("0 of 3 rows undone, 3 await approval", stranger.Message, StringComparison.Ordinal);
        Assert.All(s_chain, name => Assert.Equal(10, _server.Workloads.Replicas("feed", name)));

        var result = await undos.UndoAsync(new UndoOrder("feed", lead.Metadata.Name, "lisi", ApprovalChannel.DingTalk, "tapped", AllRows: true), default);

        // lisi approves: her Undo applies, and wangwu's waiting requests are answered by it, not left as a second set.
        Assert.Equal(UndoResultKind.Applied, result.Kind);
        Assert.Contains("3 of 3 rows undone", result.Message, StringComparison.Ordinal);
        Assert.All(s_chain, name => Assert.Equal(4, _server.Workloads.Replicas("feed", name)));
        Assert.Empty(await Open());
        var again = await undos.UndoAsync(new UndoOrder("feed", lead.Metadata.Name, "wangwu", ApprovalChannel.DingTalk, "tapped", AllRows: true), default);
        Assert.Equal(UndoResultKind.Refused, again.Kind);
        Assert.All(s_chain, name => Assert.Equal(4, _server.Workloads.Replicas("feed", name)));
    }

    [Fact]
    public async Task UndoAll_ByAnApprover_AllThreeBackToTheirCountsAndRecordedPerProposal()
    {
        await GivenChainUnderLoad();
        await Tick();
        var lead = (await Open()).OrderBy(ProposalFactory.CreatedAt).First();
        await _server.Service<IApprovalInbox>().DecideAsync(
            new ApprovalCommand("feed", lead.Metadata.Name, "zhangsan", ApprovalChannel.DingTalk, true, AllRows: true), default);
        var undos = _server.Service<IUndoInbox>();

        var result = await undos.UndoAsync(new UndoOrder("feed", lead.Metadata.Name, "lisi", ApprovalChannel.DingTalk, "tapped", AllRows: true), default);

        Assert.Equal(UndoResultKind.Applied, result.Kind);
        Assert.Contains("3 of 3 rows undone", result.Message, StringComparison.Ordinal);
        Assert.All(s_chain, name => Assert.Equal(4, _server.Workloads.Replicas("feed", name)));
        var originals = (await _server.Proposals.ListAsync("feed", default)).Where(p => p.Status.Card?.OutTrackId == lead.Status.Card!.OutTrackId).ToList();
        Assert.Equal(3, originals.Count);
        Assert.All(originals, p => Assert.Equal(("lisi", ApprovalChannel.DingTalk, 4), (p.Status.Undo!.By, p.Status.Undo.Channel, p.Status.Undo.Replicas)));

        var again = await undos.UndoAsync(new UndoOrder("feed", lead.Metadata.Name, "lisi", ApprovalChannel.DingTalk, "tapped", AllRows: true), default);
        Assert.Equal(UndoResultKind.Refused, again.Kind);
        Assert.Contains("already undone", again.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ApproveAll_WithTheRowsTheApproverSaw_GrantsWhatWasSeen_ARowThatJoinedLaterStaysPending()
    {
        await GivenChainUnderLoad();
        await Tick();
        var rows = (await Open()).OrderBy(ProposalFactory.CreatedAt).ToList();
        // The card the approver looked at had two of the rows (the lifecycle grants a seen target below a later amended one).
        var seen = new Dictionary<string, int> { [$"feed/{rows[0].Metadata.Name}"] = 10, [$"feed/{rows[1].Metadata.Name}"] = 10 };

        var result = await _server.Service<IApprovalInbox>().DecideAsync(
            new ApprovalCommand("feed", rows[0].Metadata.Name, "zhangsan", ApprovalChannel.DingTalk, true, AllRows: true, SeenRows: seen), default);

        Assert.Contains("2 of 3 rows approved", result.Message, StringComparison.Ordinal);
        Assert.Contains("joined the card after you looked", result.Message, StringComparison.Ordinal);
        Assert.Equal(10, _server.Workloads.Replicas("feed", rows[0].Spec.Target.Name));
        Assert.Equal(10, _server.Workloads.Replicas("feed", rows[1].Spec.Target.Name));
        Assert.Equal(4, _server.Workloads.Replicas("feed", rows[2].Spec.Target.Name));
        Assert.Contains(await Open(), r => r.Metadata.Name == rows[2].Metadata.Name);
    }

    [Fact]
    public async Task RejectOneRow_TheOthersStayOnTheCard_ApproveAllTakesTheRest()
    {
        await GivenChainUnderLoad();
        await Tick();
        var rows = (await Open()).OrderBy(ProposalFactory.CreatedAt).ToList();
        var inbox = _server.Service<IApprovalInbox>();

        await inbox.DecideAsync(new ApprovalCommand("feed", rows[1].Metadata.Name, "lisi", ApprovalChannel.DingTalk, false, Reason: "feed is fine"), default);
        var all = await inbox.DecideAsync(new ApprovalCommand("feed", rows[0].Metadata.Name, "zhangsan", ApprovalChannel.DingTalk, true, AllRows: true), default);

        Assert.Contains("2 of 2 rows approved", all.Message, StringComparison.Ordinal);
        Assert.Equal(4, _server.Workloads.Replicas("feed", rows[1].Spec.Target.Name));
        Assert.Equal(10, _server.Workloads.Replicas("feed", rows[0].Spec.Target.Name));
        Assert.Equal(10, _server.Workloads.Replicas("feed", rows[2].Spec.Target.Name));
        Assert.Contains(_server.Cards.GroupUpdates.Last(), r => r.Status.Phase == ProposalPhase.Rejected);
    }

    [Fact]
    public async Task RowButton_ApprovesThatRowOnly_TheCardShowsItAppliedBesideThePendingRows()
    {
        await GivenChainUnderLoad();
        await Tick();
        var rows = (await Open()).OrderBy(ProposalFactory.CreatedAt).ToList();
        var inbox = _server.Service<IApprovalInbox>();

        var result = await inbox.DecideAsync(new ApprovalCommand("feed", rows[0].Metadata.Name, "zhangsan", ApprovalChannel.DingTalk, true,
            Replicas: rows[1].Spec.ToReplicas, Row: $"feed/{rows[1].Metadata.Name}"), default);

        Assert.Equal(ApprovalResultKind.Accepted, result.Kind);
        Assert.StartsWith($"feed/{rows[1].Spec.Target.Name}: ", result.Message, StringComparison.Ordinal);
        Assert.Equal(10, _server.Workloads.Replicas("feed", rows[1].Spec.Target.Name));
        Assert.Equal(4, _server.Workloads.Replicas("feed", rows[0].Spec.Target.Name));
        Assert.Equal(4, _server.Workloads.Replicas("feed", rows[2].Spec.Target.Name));
        var card = _server.Cards.GroupUpdates.Last().ToDictionary(r => r.Metadata.Name, r => r.Status.Phase);
        Assert.Equal(ProposalPhase.Applied, card[rows[1].Metadata.Name]);
        Assert.Equal(ProposalPhase.Pending, card[rows[0].Metadata.Name]);
        Assert.Equal(ProposalPhase.Pending, card[rows[2].Metadata.Name]);
        Assert.Single(_server.Cards.Sent);

        // The same row again: exactly once.
        var again = await inbox.DecideAsync(new ApprovalCommand("feed", rows[0].Metadata.Name, "zhangsan", ApprovalChannel.DingTalk, true,
            Row: $"feed/{rows[1].Metadata.Name}"), default);
        Assert.NotEqual(ApprovalResultKind.Accepted, again.Kind);
    }

    [Fact]
    public async Task RowsAppliedOneByOne_ASecondRenderFromALaggingCache_TheCardIsBroughtUpToDate()
    {
        await GivenChainUnderLoad();
        await Tick();
        var rows = (await Open()).OrderBy(ProposalFactory.CreatedAt).ToList();
        var inbox = _server.Service<IApprovalInbox>();

        using (_server.Proposals.LagListing())
        {
            foreach (var row in rows.Skip(1))
            {
                await inbox.DecideAsync(new ApprovalCommand("feed", rows[0].Metadata.Name, "zhangsan", ApprovalChannel.DingTalk, true,
                    Replicas: row.Spec.ToReplicas, Row: $"feed/{row.Metadata.Name}"), default);
            }
        }

        // The second row's card update read the first row from a cache that had not seen it applied.
        Assert.Equal(ProposalPhase.Pending, Shown()[rows[1].Metadata.Name]);

        await Tick(seconds: 10);

        var card = Shown();
        Assert.Equal(ProposalPhase.Applied, card[rows[1].Metadata.Name]);
        Assert.Equal(ProposalPhase.Applied, card[rows[2].Metadata.Name]);
        Assert.Equal(ProposalPhase.Pending, card[rows[0].Metadata.Name]);
    }

    private Dictionary<string, ProposalPhase> Shown() =>
        _server.Cards.GroupUpdates.Last().ToDictionary(r => r.Metadata.Name, r => r.Status.Phase);

    [Fact]
    public async Task RowButton_NamingAProposalNotOnTheCard_IsRefused()
    {
        await GivenChainUnderLoad();
        await Tick();
        var lead = (await Open()).OrderBy(ProposalFactory.CreatedAt).First();
        var elsewhere = TestPolicies.Approval("shop", "checkout-api");
        _server.Workloads.Add("shop", "checkout-api", 4);
        await _server.Policies.UpsertAsync(elsewhere, default);
        _server.Metrics.Set(TestPolicies.Query("checkout-api"), 1000);
        await Tick(seconds: 5);
        var other = (await _server.Proposals.ListAsync("shop", default)).Single(p => p.Status.Phase == ProposalPhase.Pending);

        var result = await _server.Service<IApprovalInbox>().DecideAsync(new ApprovalCommand("feed", lead.Metadata.Name, "zhangsan", ApprovalChannel.DingTalk, true,
            Row: $"shop/{other.Metadata.Name}"), default);

        Assert.Equal(ApprovalResultKind.Refused, result.Kind);
        Assert.Contains("is not a row of this card", result.Message, StringComparison.Ordinal);
        Assert.Equal(4, _server.Workloads.Replicas("shop", "checkout-api"));
    }

    [Fact]
    public async Task PinOverAWaitingRow_TheRowRecordsThePinsCountAndWho_ForTheCardToSay()
    {
        // On call the row said "superseded; no change" while the pin had just scaled the service 4 → 8.
        await GivenChainUnderLoad();
        await Tick();
        var gateway = (await Open()).Single(r => r.Spec.Target.Name == "gateway");

        var pinned = await _server.Service<OverrideService>().PinAsync(
            new PinOrder("feed", "gateway", 8, 600, "launch", "zhangsan", ApprovalChannel.DingTalkChat), default);
        await Tick(seconds: 10);

        Assert.NotNull(pinned.Policy);
        Assert.Equal(8, _server.Workloads.Replicas("feed", "gateway"));
        var row = Assert.Single(_server.Cards.GroupUpdates.Last(), r => r.Metadata.Name == gateway.Metadata.Name);
        Assert.Equal(ProposalPhase.Superseded, row.Status.Phase);
        Assert.Equal(new SupersessionRecord { Action = "pin", ToReplicas = 8, By = "zhangsan" }, row.Status.Supersession);
    }

    [Fact]
    public async Task Expiry_TheWholeCardExpiresTogether()
    {
        await GivenChainUnderLoad();
        await Tick();
        var first = (await Open()).Select(p => p.Metadata.Name).ToHashSet();

        await Tick(seconds: 601);

        var all = await _server.Proposals.ListAsync("feed", default);
        Assert.All(all.Where(p => first.Contains(p.Metadata.Name)), p => Assert.Equal(ProposalPhase.Expired, p.Status.Phase));
        Assert.Equal(3, all.Count(p => first.Contains(p.Metadata.Name)));

        // Still under load: the next tick asks again, on one new card.
        Assert.Single((await Open()).Select(p => p.Status.Card!.OutTrackId).Distinct());
        Assert.Equal(2, _server.Cards.Sent.Count);
    }

    [Fact]
    public async Task ARowAskedSecondsBeforeTheCardExpires_GetsACardAndItsWholeExpiryOfItsOwn()
    {
        // Storm walkthrough (DingTalk degraded): feed-api, asked again 3 s before the chain's card expired, joined it,
        // took its expiry and was "Expired: nobody decided in time" 3 s after it was asked.
        await _server.AddUnderLoadAsync("feed", "gateway", "feed");
        await Tick();
        await Tick(seconds: 590);
        await _server.AddUnderLoadAsync("feed", "comments");

        await Tick();

        var late = Assert.Single(await Open(), p => p.Spec.Target.Name == "comments");
        Assert.Equal(_server.Time.GetUtcNow().AddSeconds(600), late.Spec.ExpiresAt);
        Assert.EndsWith(late.Metadata.Name, late.Status.Card!.OutTrackId, StringComparison.Ordinal);
        Assert.Equal(2, _server.Cards.Sent.Count);
    }

    [Fact]
    public async Task ARowAskedWithMostOfTheCardsExpiryLeft_JoinsIt()
    {
        await _server.AddUnderLoadAsync("feed", "gateway", "feed");
        await Tick();
        await Tick(seconds: 200);
        await _server.AddUnderLoadAsync("feed", "comments");

        await Tick();

        Assert.Single((await Open()).Select(p => (p.Status.Card!.OutTrackId, p.Spec.ExpiresAt)).Distinct());
        Assert.Single(_server.Cards.Sent);
    }

    private Task GivenChainUnderLoad() => _server.AddUnderLoadAsync("feed", s_chain);

    private Task Tick(int seconds = 0)
    {
        _server.Time.Advance(TimeSpan.FromSeconds(seconds));
        return _server.Service<Reconciler>().TickAsync(default);
    }

    private Task<IReadOnlyList<ScaleProposal>> Open() => _server.OpenAsync("feed");
}
