using System.Net;
using ScaleControl.Core.Policies;
using ScaleControl.Core.Ports;
using ScaleControl.Core.Proposals;
using ScaleControl.Server.Tests.Infrastructure;
using static ScaleControl.Server.Tests.Infrastructure.ServerFactory;
using ScaleControl.Server.Control.Loop;
using ScaleControl.Server.Control.Overrides;
using ScaleControl.Server.Control.Queries;

namespace ScaleControl.Server.Tests.Control;

/// <summary>The control loop tick by tick on a fake clock, against in-memory stores, workloads, metrics and DingTalk.</summary>
public sealed class ControlLoopTests : IDisposable
{
    private readonly ServerFactory _server = new();

    public void Dispose() => _server.Dispose();

    [Fact]
    public async Task Tick_ApprovalPolicyUnderLoad_ProposesOnceAndSendsCard()
    {
        await Given(TestPolicies.Approval(), replicas: 4, qps: 1000);

        await Tick();
        await Tick(seconds: 5);

        var proposal = Assert.Single(await Open("shop"));
        Assert.Equal((4, 10), (proposal.Spec.FromReplicas, proposal.Spec.ToReplicas));
        Assert.Equal(ProposalPhase.Pending, proposal.Status.Phase);
        Assert.NotNull(proposal.Status.Card);
        Assert.Single(_server.Cards.Sent);
        Assert.Contains(_server.Events.Recorded, e => e.Reason == ScaleEventReasons.ScaleProposalCreated);
        Assert.Equal(4, _server.Workloads.Replicas("shop", "checkout-api"));
    }

    [Fact]
    public async Task Tick_TrafficKeepsRising_AmendsThePendingProposalInPlace_OneCard()
    {
        await Given(TestPolicies.Approval(), replicas: 4, qps: 1000);
        await Tick();

        _server.Metrics.Set(TestPolicies.Query("checkout-api"), 2000);
        await Tick(seconds: 5); // within the amend interval: the card's numbers do not flicker
        Assert.Equal(10, Assert.Single(await Open("shop")).Spec.ToReplicas);
        await Tick(seconds: 25);

        var only = Assert.Single(await _server.Proposals.ListAsync("shop", default));
        Assert.Equal((ProposalPhase.Pending, 4, 20), (only.Status.Phase, only.Spec.FromReplicas, only.Spec.ToReplicas));
        Assert.Equal((10, 20), (only.Status.Amendments.Single().FromTarget, only.Status.Amendments.Single().ToTarget));
        Assert.Single(_server.Cards.Sent);
        Assert.Contains(_server.Cards.Updates, u => u.Metadata.Name == only.Metadata.Name && u.Spec.ToReplicas == 20);
        // Its own Event reason (it was ScaleProposalCreated, so `kubectl get events` read as a second proposal).
        Assert.Equal(1, _server.Events.Recorded.Count(e => e.Reason == ScaleEventReasons.ScaleProposalCreated));
        Assert.Contains(_server.Events.Recorded, e => e.Reason == ScaleEventReasons.ScaleProposalAmended && e.Message.Contains("10 → 20", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Tick_NeedDipsBelowAPendingScaleUp_TheCardKeepsItsTargetUntilTheDipHeldTheScaleDownWindow()
    {
        // Live: a card asked 6, 5, 6, 5 within three minutes as the headroom moved with the noise.
        await Given(TestPolicies.Approval(), replicas: 4, qps: 1000);
        await Tick();
        _server.Metrics.Set(TestPolicies.Query("checkout-api"), 800);

        await Tick(seconds: 40); // past the amend interval: a rise would be amended now, a dip is not
        Assert.Equal(10, Assert.Single(await Open("shop")).Spec.ToReplicas);
        _server.Metrics.Set(TestPolicies.Query("checkout-api"), 1000);
        await Tick(seconds: 40);
        _server.Metrics.Set(TestPolicies.Query("checkout-api"), 800);
        await Tick(seconds: 200);
        Assert.Empty(Assert.Single(await Open("shop")).Status.Amendments);

        await Tick(seconds: 30); // 310 s since it was proposed: the scale-down window (300 s) has passed
        var amended = Assert.Single(await Open("shop"));
        Assert.Equal((10, 8), (amended.Status.Amendments.Single().FromTarget, amended.Spec.ToReplicas));
    }

    [Fact]
    public async Task Tick_AProposalAboveARejectionFallsBackWithinIt_WithdrawnNotAmendedToWhatWasRejected()
    {
        // Live: after 2 → 5 was undone, a 2 → 6 card came (more was needed) and was then amended to the very 2 → 5.
        await Given(TestPolicies.Approval(), replicas: 4, qps: 1000);
        await Tick();
        var rejected = Assert.Single(await Open("shop"));
        await _server.Service<IApprovalInbox>().DecideAsync(new ApprovalCommand("shop", rejected.Metadata.Name, "zhangsan", ApprovalChannel.Api, false, Reason: "bots"), default);
        _server.Metrics.Set(TestPolicies.Query("checkout-api"), 1500);
        await Tick(seconds: 5);
        var above = Assert.Single(await Open("shop"));
        Assert.Equal(15, above.Spec.ToReplicas);

        _server.Metrics.Set(TestPolicies.Query("checkout-api"), 1000);
        await Tick(seconds: 310);

        Assert.Empty(await Open("shop"));
        var withdrawn = (await _server.Proposals.GetAsync("shop", above.Metadata.Name, default))!;
        Assert.Equal((ProposalPhase.Superseded, 15), (withdrawn.Status.Phase, withdrawn.Spec.ToReplicas));
        Assert.Contains("held after zhangsan rejected 4 → 10", withdrawn.Status.Message, StringComparison.Ordinal);
        Assert.Equal(4, _server.Workloads.Replicas("shop", "checkout-api"));
    }

    [Fact]
    public async Task History_AmendedProposal_ProposedRowSaysWhatWasAskedThenAndWhy_AmendedRowTheChange()
    {
        // Live (storm walkthrough): a card proposed 3 → 4 at 17:28:47 and amended to 14 by 17:29:47 showed in the
        // history as "Proposed 3 → 14" at 17:28:47 with the reason of 17:29:47 (qps 417 where it was 146).
        await Given(TestPolicies.Approval(), replicas: 4, qps: 1000);
        await Tick();
        var first = Assert.Single(await Open("shop"));
        _server.Metrics.Set(TestPolicies.Query("checkout-api"), 2000);
        await Tick(seconds: 30);
        var amended = Assert.Single(await Open("shop"));

        var history = await _server.Service<HistoryService>().ListAsync("shop", DateTimeOffset.MinValue, DateTimeOffset.MaxValue, default);

        var proposed = Assert.Single(history, e => e.Kind == HistoryKind.Proposed);
        Assert.Equal((4, 10, first.Spec.Reason), (proposed.From, proposed.To, proposed.Reason));
        var change = Assert.Single(history, e => e.Kind == HistoryKind.Amended);
        Assert.Equal((4, 20, amended.Spec.Reason, "target updated 10 → 20"), (change.From, change.To, change.Reason, change.Message));
        Assert.Equal(amended.Status.Amendments[0].At, change.Time);
        Assert.NotEqual(first.Spec.Reason, amended.Spec.Reason);
    }

    [Fact]
    public async Task Approve_CardSeenBeforeTheTargetRose_ThatMuchAppliedRestPendingOnTheSameCard()
    {
        await Given(TestPolicies.Approval(), replicas: 4, qps: 1000);
        await Tick();
        _server.Metrics.Set(TestPolicies.Query("checkout-api"), 2000);
        await Tick(seconds: 30);
        var name = Assert.Single(await Open("shop")).Metadata.Name;

        var result = await _server.Service<IApprovalInbox>().DecideAsync(
            new ApprovalCommand("shop", name, "zhangsan", ApprovalChannel.DingTalk, true, Replicas: 10), default);

        Assert.Equal(ApprovalResultKind.Accepted, result.Kind);
        Assert.Equal(10, _server.Workloads.Replicas("shop", "checkout-api"));
        var rest = Assert.Single(await Open("shop"));
        Assert.Equal((name, ProposalPhase.Pending, 10, 20), (rest.Metadata.Name, rest.Status.Phase, rest.Spec.FromReplicas, rest.Spec.ToReplicas));
        Assert.Single(_server.Cards.Sent);
    }

    [Fact]
    public async Task History_PartlyApprovedThenTheRest_SaysWhoApprovedEachPartAndThroughWhichChannel()
    {
        // Live: lisi's tap applied 2 → 3 of a card amended to 6; the history then showed only "Proposed 3 → 6" by
        // scalecontrol: nobody had approved or applied anything, and no channel was recorded.
        await Given(TestPolicies.Approval(), replicas: 4, qps: 1000);
        await Tick();
        _server.Metrics.Set(TestPolicies.Query("checkout-api"), 2000);
        await Tick(seconds: 30);
        var name = Assert.Single(await Open("shop")).Metadata.Name;
        var inbox = _server.Service<IApprovalInbox>();
        await inbox.DecideAsync(new ApprovalCommand("shop", name, "zhangsan", ApprovalChannel.DingTalk, true, Replicas: 10), default);
        _server.Time.Advance(TimeSpan.FromSeconds(20));
        await inbox.DecideAsync(new ApprovalCommand("shop", name, "lisi", ApprovalChannel.DingTalkChat, true), default);
        Assert.Equal(20, _server.Workloads.Replicas("shop", "checkout-api"));

        var history = await _server.Service<HistoryService>().ListAsync("shop", DateTimeOffset.MinValue, DateTimeOffset.MaxValue, default);

        var lines = history.Reverse().Select(e => $"{e.Kind} {e.From}→{e.To} {e.By} {e.Channel}").ToList();
        Assert.Equal(
            ["Proposed 4→10 scalecontrol ", "Amended 4→20 scalecontrol ", "Approved 4→10 zhangsan DingTalk", "Applied 4→10 zhangsan DingTalk", "Approved 10→20 lisi DingTalkChat", "Applied 10→20 lisi DingTalkChat"],
            lines);
    }

    [Fact]
    public async Task Tick_AfterAReject_TheSameQuestionIsNotAskedAgainUntilTheBackoff()
    {
        await Given(TestPolicies.Approval(), replicas: 4, qps: 1000);
        await Tick();
        var name = Assert.Single(await Open("shop")).Metadata.Name;
        await _server.Service<IApprovalInbox>().DecideAsync(new ApprovalCommand("shop", name, "lisi", ApprovalChannel.DingTalk, false, Reason: "not now"), default);

        await Tick(seconds: 5);
        await Tick(seconds: 600);

        Assert.Empty(await Open("shop"));
        Assert.Single(_server.Cards.Sent);
        Assert.Contains("no new proposal until", (await _server.Policies.GetAsync("shop", "checkout-api", default))!.Status!.LastReason, StringComparison.Ordinal);

        // Traffic beyond what the rejected proposal was sized for asks again.
        _server.Metrics.Set(TestPolicies.Query("checkout-api"), 2000);
        await Tick(seconds: 5);
        Assert.Equal(20, Assert.Single(await Open("shop")).Spec.ToReplicas);
    }

    [Fact]
    public async Task Status_EachMetric_CarriesItsTarget_SoTheValueHasAScale()
    {
        // Policies name no unit: "qps=1000" alone says nothing of whether that is a lot; the target per replica does.
        await Given(TestPolicies.Approval(), replicas: 4, qps: 1000);
        await Tick();

        var view = Assert.Single((await _server.Service<StatusService>().GetAsync(default)).Policies, p => p.Name == "checkout-api");

        var metric = Assert.Single(view.Metrics);
        Assert.Equal(("qps", 1000d, 100d, MetricTargetType.PerReplica), (metric.Name, metric.Value, metric.Target, metric.TargetType));
    }

    [Fact]
    public async Task Status_WhileTheCardAsksLessThanTheLastDecision_SaysWhatTheCardAsks_InTheApiAndInChat()
    {
        // Live: chat said "checkout-api 16 → 26 replicas · proposal `…`" while the card asked 16 → 25, and approving it
        // gave 25: the status showed the last decision and no word of what the card it named would do.
        await Given(TestPolicies.Approval(), replicas: 4, qps: 1000);
        await Tick();
        _server.Metrics.Set(TestPolicies.Query("checkout-api"), 2000);
        await Tick(seconds: 5); // within the amend interval: the card keeps 4 → 10

        var view = Assert.Single((await _server.Service<StatusService>().GetAsync(default)).Policies, p => p.Name == "checkout-api");
        var open = Assert.Single(await Open("shop"));
        Assert.Equal((4, 20, open.Metadata.Name, 10), (view.CurrentReplicas, view.DesiredReplicas, view.OpenProposal, view.OpenProposalTo));
        var chat = ScaleControl.Server.Chat.ChatAnswers.Status([view], new ScaleControl.DingTalk.Cards.GroupTimes(TimeZoneInfo.Utc, TimeProvider.System)).Markdown;
        Assert.Contains($"4 → 20 replicas · Approval · proposal `{open.Metadata.Name}` asks 10", chat, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Status_WhileARejectHolds_SaysSoLive_InTheApiAndInChat()
    {
        // Live: chat said "checkout-api 6 → 26 replicas" and /status "desired 26" with no proposal and no word of the
        // hold; only kubectl's policy status said why nothing was asked.
        await Given(TestPolicies.Approval(), replicas: 4, qps: 1000);
        await Tick();
        var name = Assert.Single(await Open("shop")).Metadata.Name;
        await _server.Service<IApprovalInbox>().DecideAsync(new ApprovalCommand("shop", name, "lisi", ApprovalChannel.DingTalk, false, Reason: "not now"), default);
        await Tick(seconds: 5);

        var view = Assert.Single((await _server.Service<StatusService>().GetAsync(default)).Policies, p => p.Name == "checkout-api");
        Assert.Equal((4, 10, null), (view.CurrentReplicas, view.DesiredReplicas, view.OpenProposal));
        Assert.Contains("held after lisi rejected 4 → 10: no new proposal until", view.Held, StringComparison.Ordinal);
        Assert.Contains("no new proposal until", view.LastReason, StringComparison.Ordinal);
        var chat = ScaleControl.Server.Chat.ChatAnswers.Status([view], new ScaleControl.DingTalk.Cards.GroupTimes(TimeZoneInfo.Utc, TimeProvider.System)).Markdown;
        Assert.Contains("held after lisi rejected 4 → 10", chat, StringComparison.Ordinal);

        // Who can lift it, and with what: scalectl's command in the API, the chat's own `scale` in chat.
        Assert.EndsWith("can lift it with scalectl scale", view.Held, StringComparison.Ordinal);
        Assert.Contains("can lift it with `scale`", chat, StringComparison.Ordinal);
        Assert.DoesNotContain("scalectl", chat, StringComparison.Ordinal);

        // Once more is needed the loop asks again, and the status stops saying it holds.
        _server.Metrics.Set(TestPolicies.Query("checkout-api"), 2000);
        await Tick(seconds: 5);
        view = Assert.Single((await _server.Service<StatusService>().GetAsync(default)).Policies, p => p.Name == "checkout-api");
        Assert.Null(view.Held);
        Assert.NotNull(view.OpenProposal);
    }

    [Fact]
    public async Task Tick_HybridCreepOfSmallSteps_AsksOnceTheAllowanceIsUsed()
    {
        var hybrid = TestPolicies.Approval() with
        {
            Spec = TestPolicies.Approval().Spec with { Mode = ScaleMode.Hybrid, AutoApproveMaxStep = new StepLimit { Pods = 2 } },
        };
        await Given(hybrid, replicas: 3, qps: 400);

        await Tick(); // 3 → 4 automatically
        _server.Metrics.Set(TestPolicies.Query("checkout-api"), 500);
        await Tick(seconds: 120); // 4 → 5 automatically: +2 of +2 used
        _server.Metrics.Set(TestPolicies.Query("checkout-api"), 700);
        await Tick(seconds: 120); // 5 → 7 must ask

        Assert.Equal(5, _server.Workloads.Replicas("shop", "checkout-api"));
        var asked = Assert.Single(await Open("shop"));
        Assert.Equal((5, 7), (asked.Spec.FromReplicas, asked.Spec.ToReplicas));
    }

    [Fact]
    public async Task Tick_HybridAllowanceUsedAndAProposalWaits_TheNextTickDoesNotApplyItAutomatically()
    {
        // Live storm on feed-service (Hybrid, +2 automatic per 10 min): 4 → 5 → 6 → 7 → 9 in 35 s, every other card
        // "the automatic allowance of 2 per 10 min is used up" superseded 5 s later by the same step applied automatically.
        var hybrid = TestPolicies.Approval() with
        {
            Spec = TestPolicies.Approval().Spec with { Mode = ScaleMode.Hybrid, AutoApproveMaxStep = new StepLimit { Pods = 2 } },
        };
        await Given(hybrid, replicas: 3, qps: 400);
        await Tick(); // 3 → 4 automatically
        _server.Metrics.Set(TestPolicies.Query("checkout-api"), 500);
        await Tick(seconds: 120); // 4 → 5 automatically: +2 of +2 used
        _server.Metrics.Set(TestPolicies.Query("checkout-api"), 700);
        await Tick(seconds: 120); // 5 → 7 asks
        var asked = Assert.Single(await Open("shop"));

        await Tick(seconds: 5);
        await Tick(seconds: 5);

        Assert.Equal(5, _server.Workloads.Replicas("shop", "checkout-api"));
        var still = Assert.Single(await Open("shop"));
        Assert.Equal((asked.Metadata.Name, ProposalPhase.Pending, 5, 7), (still.Metadata.Name, still.Status.Phase, still.Spec.FromReplicas, still.Spec.ToReplicas));

        // Once the window has passed (the question still waits) the allowance is free again: the step is taken
        // automatically and the question closed.
        await Tick(seconds: 500);
        Assert.Equal(7, _server.Workloads.Replicas("shop", "checkout-api"));
        Assert.Empty(await Open("shop"));
        Assert.Equal(ProposalPhase.Superseded, (await _server.Proposals.GetAsync("shop", asked.Metadata.Name, default))!.Status.Phase);
    }

    [Fact]
    public async Task Tick_AutoPolicy_ScalesRecordsAutoProposalAndPostsItsCard()
    {
        await Given(TestPolicies.Auto(), replicas: 3, qps: 700);

        await Tick();

        Assert.Equal(7, _server.Workloads.Replicas("video", "video-transcoder"));
        var record = Assert.Single(await _server.Proposals.ListAsync("video", default));
        Assert.Equal(ProposalPhase.Applied, record.Status.Phase);
        Assert.Equal(ApprovalChannel.Auto, Assert.Single(record.Status.Approvals).Channel);
        Assert.Equal(record.Metadata.Name, Assert.Single(_server.Cards.Sent).Metadata.Name);
        Assert.Equal(("cidOnCall==", CardState.Of(record)), (record.Status.Card?.OpenConversationId, record.Status.Card?.ShownState));
        Assert.Contains(_server.Events.Recorded, e => e.Reason == ScaleEventReasons.ScaledByScaleControl);
        var history = await _server.Service<HistoryService>().ListAsync("video", _server.Time.GetUtcNow().AddHours(-1), _server.Time.GetUtcNow(), default);
        Assert.Equal(HistoryKind.AutoScaled, Assert.Single(history).Kind);
    }

    [Fact]
    public async Task Tick_AutoPolicyRampsThroughAHotEvent_OneCardUpdatedInPlace_AnEventPerStep()
    {
        // Live: 4 → 7 → 12 → 15 → 18 posted "scaled automatically" once per step into the on-call group.
        await Given(TestPolicies.Auto(), replicas: 4, qps: 700);
        await Tick();
        foreach (var qps in new[] { 1200, 1500, 1800 })
        {
            _server.Metrics.Set(TestPolicies.Query("video-transcoder"), qps);
            await Tick(seconds: 60);
        }

        Assert.Equal(18, _server.Workloads.Replicas("video", "video-transcoder"));
        var steps = (await _server.Proposals.ListAsync("video", default)).OrderBy(ProposalFactory.CreatedAt).ToList();
        Assert.Equal([7, 12, 15, 18], steps.Select(s => s.Status.AppliedReplicas ?? 0));
        Assert.Single(_server.Cards.Sent);
        Assert.All(steps, s => Assert.Equal(steps[0].Status.Card!.OutTrackId, s.Status.Card?.OutTrackId));
        Assert.All(steps, s => Assert.False(CardState.IsStale(s)));
        Assert.Equal([2, 3, 4], _server.Cards.GroupUpdates.Select(rows => rows.Count));
        Assert.DoesNotContain(_server.Notices.Published, n => n.Kind == NoticeKind.ScaledAutomatically);
        Assert.Equal(4, _server.Events.Recorded.Count(e => e.Reason == ScaleEventReasons.ScaledByScaleControl)); // the audit trail keeps every step

        // After a quiet spell longer than the window the next step starts a new card.
        _server.Metrics.Set(TestPolicies.Query("video-transcoder"), 2400);
        await Tick(seconds: 1900);
        Assert.Equal(2, _server.Cards.Sent.Count);
    }

    [Fact]
    public async Task Tick_AutoPolicyNoticesToAWebhook_FirstStepAtOnce_TheRestCoalescedIntoOneMessage()
    {
        // A custom-robot webhook cannot carry a card to update: the ramp's later steps come as one message.
        var policy = TestPolicies.Auto();
        await Given(policy with { Spec = policy.Spec with { Notifications = new NotificationSpec { Webhook = "ops" } } }, replicas: 4, qps: 700);
        await Tick();
        foreach (var qps in new[] { 1200, 1500, 1800 })
        {
            _server.Metrics.Set(TestPolicies.Query("video-transcoder"), qps);
            await Tick(seconds: 60);
        }

        Assert.Empty(_server.Cards.Sent);
        var first = Assert.Single(_server.Notices.Published, n => n.Kind == NoticeKind.ScaledAutomatically);
        Assert.Contains("**video/video-transcoder** scaled automatically **4 → 7**", first.Markdown, StringComparison.Ordinal);

        await Tick(seconds: 130); // 310 s after the first post: the held steps go out together
        var automatic = _server.Notices.Published.Where(n => n.Kind == NoticeKind.ScaledAutomatically).ToList();
        Assert.Equal(2, automatic.Count);
        Assert.Contains("**video/video-transcoder** scaled automatically **7 → 12 → 15 → 18** (3 steps, ", automatic[1].Markdown, StringComparison.Ordinal);
        Assert.Equal("ops", automatic[1].Route?.Webhook);
    }

    [Fact]
    public async Task Tick_NobodyApproves_EscalatesThenExpiresWithoutScaling()
    {
        await Given(TestPolicies.Approval(escalateAfter: 60, expiry: 300), replicas: 4, qps: 1000);
        await Tick();

        await Tick(seconds: 61);
        var escalated = Assert.Single(await Open("shop"));
        Assert.Single(escalated.Status.Escalations);
        Assert.Single(_server.Cards.Escalations);

        await Tick(seconds: 240);
        var all = await _server.Proposals.ListAsync("shop", default);
        Assert.Contains(all, p => p.Status.Phase == ProposalPhase.Expired);
        // The card says "Expired" in the group the notice would go to: no message beside it.
        Assert.DoesNotContain(_server.Notices.Published, n => n.Kind == NoticeKind.ProposalExpired);
        Assert.Equal(4, _server.Workloads.Replicas("shop", "checkout-api"));
    }

    [Fact]
    public async Task Tick_NobodyApproves_NoticesGoElsewhere_TheExpiryIsPostedThere()
    {
        var policy = TestPolicies.Approval(expiry: 300);
        await Given(policy with { Spec = policy.Spec with { Notifications = new NotificationSpec { OpenConversationId = "cidNotices==" } } }, replicas: 4, qps: 1000);
        await Tick();

        await Tick(seconds: 301);

        var notice = Assert.Single(_server.Notices.Published, n => n.Kind == NoticeKind.ProposalExpired);
        Assert.Equal("cidNotices==", notice.Route?.OpenConversationId);
    }

    [Fact]
    public async Task Approve_TwoApproversAtTheSameMoment_ScalesOnce()
    {
        await Given(TestPolicies.Approval(), replicas: 4, qps: 1000);
        await Tick();
        var proposal = Assert.Single(await Open("shop"));
        var inbox = _server.Service<IApprovalInbox>();

        var results = await Task.WhenAll(
            Task.Run(() => inbox.DecideAsync(new ApprovalCommand("shop", proposal.Metadata.Name, "zhangsan", ApprovalChannel.DingTalk, true), default)),
            Task.Run(() => inbox.DecideAsync(new ApprovalCommand("shop", proposal.Metadata.Name, "lisi", ApprovalChannel.DingTalk, true), default)));

        Assert.Single(results, r => r.Kind == ApprovalResultKind.Accepted);
        Assert.Single(_server.Workloads.Writes);
        Assert.Equal(10, _server.Workloads.Replicas("shop", "checkout-api"));
        var final = await _server.Proposals.GetAsync("shop", proposal.Metadata.Name, default);
        Assert.Equal(ProposalPhase.Applied, final!.Status.Phase);
    }

    [Fact]
    public async Task Approve_NotAnApprover_RefusedWithReasonAndNothingChanges()
    {
        await Given(TestPolicies.Approval(), replicas: 4, qps: 1000);
        await Tick();
        var proposal = Assert.Single(await Open("shop"));
        using var client = _server.ClientWith(WangwuToken);

        using var response = await client.PostJson($"/api/v1/proposals/shop/{proposal.Metadata.Name}/approve", new { });

        Assert.Equal(HttpStatusCode.Conflict, response.StatusCode);
        Assert.Contains("wangwu is not an approver", (await response.ReadJson()).GetProperty("detail").GetString());
        Assert.Empty(_server.Workloads.Writes);
        Assert.Equal(ProposalPhase.Pending, (await _server.Proposals.GetAsync("shop", proposal.Metadata.Name, default))!.Status.Phase);
    }

    [Fact]
    public async Task Approve_ViaApi_AppliesAndHistoryListsWhoDidWhat()
    {
        await Given(TestPolicies.Approval(), replicas: 4, qps: 1000);
        await Tick();
        var proposal = Assert.Single(await Open("shop"));
        using var client = _server.ClientWith(LisiToken);

        using var response = await client.PostJson($"/api/v1/proposals/shop/{proposal.Metadata.Name}/approve", new { });

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var answer = await response.ReadJson();
        Assert.Equal("Accepted", answer.GetProperty("result").GetString());
        Assert.Equal("Applied", answer.GetProperty("proposal").GetProperty("status").GetProperty("phase").GetString());
        Assert.Equal(10, _server.Workloads.Replicas("shop", "checkout-api"));

        using var viewer = _server.ClientWith(ViewerToken);
        var history = await (await viewer.GetAsync("/api/v1/history?namespace=shop")).Read<List<HistoryEntry>>();
        Assert.Equal([HistoryKind.Applied, HistoryKind.Approved, HistoryKind.Proposed], history.Select(h => h.Kind));
        Assert.Equal("lisi", history[0].By);
        Assert.Equal("Api", history[1].Channel);
    }

    [Fact]
    public async Task Reject_ViaApi_ClosesProposalAndUpdatesCard()
    {
        await Given(TestPolicies.Approval(), replicas: 4, qps: 1000);
        await Tick();
        var proposal = Assert.Single(await Open("shop"));
        using var client = _server.ClientWith(ZhangsanToken);

        using var response = await client.PostJson($"/api/v1/proposals/shop/{proposal.Metadata.Name}/reject", new { reason = "traffic is a bot" });

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var stored = await _server.Proposals.GetAsync("shop", proposal.Metadata.Name, default);
        Assert.Equal(ProposalPhase.Rejected, stored!.Status.Phase);
        Assert.Equal("traffic is a bot", stored.Status.Rejection!.Reason);
        Assert.Contains(_server.Cards.Updates, p => p.Status.Phase == ProposalPhase.Rejected);
        Assert.Empty(_server.Workloads.Writes);
    }

    [Fact]
    public async Task Apply_WorkloadChangedUnderneath_RereadsAndWritesOnceMore()
    {
        await Given(TestPolicies.Auto(), replicas: 3, qps: 700);
        _server.Workloads.ConflictsToInject = 1;

        await Tick();

        Assert.Equal(2, _server.Workloads.Writes.Count);
        Assert.Equal(7, _server.Workloads.Replicas("video", "video-transcoder"));
        Assert.Contains(_server.Events.Recorded, e => e.Reason == ScaleEventReasons.ScaleConflictRetried);
        var writes = _server.Workloads.Writes.ToArray();
        Assert.NotEqual(writes[0].ExpectedResourceVersion, writes[1].ExpectedResourceVersion);
    }

    [Fact]
    public async Task Freeze_HoldsAgainstTheLoop_AndLiftsByItselfWhenItExpires()
    {
        await Given(TestPolicies.Auto(), replicas: 3, qps: 700);
        using var client = _server.ClientWith(AdminToken);
        using var frozen = await client.PostJson("/api/v1/policies/video/video-transcoder/freeze", new { durationSeconds = 60, reason = "db migration" });
        Assert.Equal(HttpStatusCode.OK, frozen.StatusCode);

        await Tick();
        Assert.Equal(3, _server.Workloads.Replicas("video", "video-transcoder"));

        await Tick(seconds: 61);
        Assert.Equal(7, _server.Workloads.Replicas("video", "video-transcoder"));
        var history = await _server.Service<HistoryService>().ListAsync("video", _server.Time.GetUtcNow().AddHours(-1), _server.Time.GetUtcNow(), default);
        Assert.Contains(history, h => h.Kind == HistoryKind.Frozen && h.By == "admin");
    }

    [Fact]
    public async Task Freeze_WrittenWhileTheTickReadsMetrics_NoCardForThePolicyJustFrozen()
    {
        // CI under load: the tick listed the policies, waited seconds for its readings, and meanwhile an operator froze
        // checkout-api; the decision made on the spec listed before the freeze posted a card the operator had just stopped.
        await Given(TestPolicies.Approval(), replicas: 4, qps: 1000);
        using var client = _server.ClientWith(AdminToken);
        _server.Metrics.DuringNextQuery = async () =>
            (await client.PostJson("/api/v1/policies/shop/checkout-api/freeze", new { durationSeconds = 60, reason = "db migration" })).EnsureSuccessStatusCode();

        await Tick();
        Assert.Empty(await Open("shop"));
        Assert.Empty(_server.Cards.Sent);
        await Tick(seconds: 5);
        Assert.Empty(await Open("shop"));

        await Tick(seconds: 60); // the freeze ends: the policy decides again
        Assert.Equal(10, Assert.Single(await Open("shop")).Spec.ToReplicas);
    }

    [Fact]
    public async Task Overrides_FromScalectl_AreRecordedOnChannelCli()
    {
        await Given(TestPolicies.Auto(), replicas: 3, qps: 300);
        using var client = _server.ClientWith(AdminToken);
        client.DefaultRequestHeaders.UserAgent.ParseAdd("scalectl/1.0");

        (await client.PostJson("/api/v1/policies/video/video-transcoder/freeze", new { durationSeconds = 60, reason = "db migration" })).EnsureSuccessStatusCode();
        (await client.DeleteAsync("/api/v1/policies/video/video-transcoder/freeze")).EnsureSuccessStatusCode();
        (await client.PostJson("/api/v1/workloads/video/video-transcoder/pin", new { replicas = 5, durationSeconds = 60, reason = "launch" })).EnsureSuccessStatusCode();
        (await client.DeleteAsync("/api/v1/workloads/video/video-transcoder/pin")).EnsureSuccessStatusCode();

        var history = await _server.Service<HistoryService>().ListAsync("video", _server.Time.GetUtcNow().AddHours(-1), _server.Time.GetUtcNow(), default);
        var overrides = history.Where(h => h.Kind is HistoryKind.Frozen or HistoryKind.Unfrozen or HistoryKind.Pinned).ToList();
        Assert.Equal(4, overrides.Count(h => h.By == "admin"));
        Assert.All(overrides, h => Assert.Equal("Cli", h.Channel));
    }

    [Fact]
    public async Task Pin_ScalesNow_HoldsAgainstTheLoop_ThenResumes()
    {
        await Given(TestPolicies.Auto(), replicas: 3, qps: 700);
        using var client = _server.ClientWith(ZhangsanToken);

        using var pinned = await client.PostJson("/api/v1/workloads/video/video-transcoder/pin", new { replicas = 12, durationSeconds = 120, reason = "launch" });

        Assert.Equal(HttpStatusCode.OK, pinned.StatusCode);
        Assert.Equal(12, (await pinned.Read<ScalePolicy>()).Spec.Pin!.Replicas);
        Assert.Equal(12, _server.Workloads.Replicas("video", "video-transcoder"));

        await Tick();
        Assert.Equal(12, _server.Workloads.Replicas("video", "video-transcoder"));

        // The pin expires: the loop, which had nothing to watch while pinned, holds the count one scale-down window
        // (as after a restart), then releases it.
        await Tick(seconds: 121);
        Assert.Equal(12, _server.Workloads.Replicas("video", "video-transcoder"));
        for (var i = 0; i < 62; i++)
        {
            await Tick(seconds: 5);
        }

        Assert.True(_server.Workloads.Replicas("video", "video-transcoder") < 12);
        var history = await _server.Service<HistoryService>().ListAsync("video", _server.Time.GetUtcNow().AddHours(-1), _server.Time.GetUtcNow(), default);
        Assert.Contains(history, h => h.Kind == HistoryKind.Pinned && h.By == "zhangsan" && h.To == 12);
    }

    [Fact]
    public async Task Pin_BelowWhatThePolicyAsks_GoesThroughButTheAnswerAndTheNoticeSaySo()
    {
        // Seen in a storm: checkout pinned to 20 while the policy asked 28, and nothing said so.
        await Given(TestPolicies.Auto(), replicas: 3, qps: 700);
        await Tick();
        var asked = (await _server.Policies.GetAsync("video", "video-transcoder", default))!.Status!.DesiredReplicas!.Value;
        using var client = _server.ClientWith(ZhangsanToken);

        using var pinned = await client.PostJson("/api/v1/workloads/video/video-transcoder/pin", new { replicas = asked - 2, durationSeconds = 1800, reason = "launch" });

        Assert.Equal(HttpStatusCode.OK, pinned.StatusCode);
        Assert.Equal(asked - 2, _server.Workloads.Replicas("video", "video-transcoder"));
        var note = $"note: the policy asks for {asked} now; the pin holds {asked - 2} for 30m";
        Assert.Equal($"\"{note}\"", Assert.Single(pinned.Headers.Warning).Text);
        Assert.Contains(note, _server.Notices.Published.Last(n => n.Kind == NoticeKind.Pinned).Markdown, StringComparison.Ordinal);

        // Pinned again above the ask: no note (and none while a pin holds: the status then records the pin).
        using var above = await client.PostJson("/api/v1/workloads/video/video-transcoder/pin", new { replicas = asked + 2, durationSeconds = 1800, reason = "launch" });
        Assert.Empty(above.Headers.Warning);
    }

    [Fact]
    public async Task Pin_BelowWhatThePolicyAsks_RefusedByAConflict_NoWarningThatThePinHolds()
    {
        await Given(TestPolicies.Auto(), replicas: 3, qps: 700);
        await Tick();
        var asked = (await _server.Policies.GetAsync("video", "video-transcoder", default))!.Status!.DesiredReplicas!.Value;
        _server.Policies.ConflictsToInject = PolicySpecEditor.Attempts; // the policy keeps changing: nothing is pinned
        using var client = _server.ClientWith(ZhangsanToken);

        using var refused = await client.PostJson("/api/v1/workloads/video/video-transcoder/pin", new { replicas = asked - 2, durationSeconds = 1800, reason = "launch" });

        Assert.Equal(HttpStatusCode.Conflict, refused.StatusCode);
        Assert.Empty(refused.Headers.Warning); // "the pin holds … for 30m" would say the opposite of the 409
    }

    [Fact]
    public async Task PinRequest_BelowWhatThePolicyAsks_TheApproversCardAndThe202SaySo()
    {
        await Given(TestPolicies.Approval(), replicas: 2, qps: 1000);
        await Tick();
        var asked = (await _server.Policies.GetAsync("shop", "checkout-api", default))!.Status!.DesiredReplicas!.Value;
        using var admin = _server.ClientWith(AdminToken); // not on the roster: the pin waits for an approver

        using var requested = await admin.PostJson("/api/v1/workloads/shop/checkout-api/pin", new { replicas = asked - 1, durationSeconds = 600, reason = "storm" });

        Assert.Equal(HttpStatusCode.Accepted, requested.StatusCode);
        var note = $"note: the policy asks for {asked} now; the pin holds {asked - 1} for 10m";
        Assert.Equal($"\"{note}\"", Assert.Single(requested.Headers.Warning).Text);
        Assert.EndsWith(note, _server.Cards.Sent.Last().Spec.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Pin_WorkloadMovedOutsideScaleControl_TheLoopDoesNotChaseIt_NoFailedProposalPerTick()
    {
        await Given(TestPolicies.Auto(), replicas: 3, qps: 700);
        using var client = _server.ClientWith(ZhangsanToken);
        using var pinned = await client.PostJson("/api/v1/workloads/video/video-transcoder/pin", new { replicas = 12, durationSeconds = 3600, reason = "launch" });
        Assert.Equal(HttpStatusCode.OK, pinned.StatusCode);
        var proposalsAfterPin = (await _server.Proposals.ListAsync("video", default)).Count;
        var noticesAfterPin = _server.Notices.Published.Count;

        // kubectl scale --replicas=8: someone else moved the pinned workload.
        await _server.Workloads.ScaleAsync(new ScaleRequest(new WorkloadRef("video", TargetRef.DeploymentKind, "video-transcoder"), 8, null, "kubectl", null), default);
        for (var i = 0; i < 12; i++)
        {
            await Tick(seconds: 5);
        }

        Assert.Equal(proposalsAfterPin, (await _server.Proposals.ListAsync("video", default)).Count);
        Assert.Equal(noticesAfterPin, _server.Notices.Published.Count);
        Assert.Equal(8, _server.Workloads.Replicas("video", "video-transcoder"));
        Assert.Contains("not the pinned 12", (await _server.Policies.GetAsync("video", "video-transcoder", default))!.Status!.LastReason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Tick_FirstReadingAfterARestartIsLow_HoldsTheCountOneDownWindowThenReleases()
    {
        // A new process (or a new leader) has no history; a Prometheus that just restarted reads low. The HPA seeds
        // its window with the current count (recordInitialRecommendation); the loop does too.
        await Given(TestPolicies.Auto(), replicas: 12, qps: 100);

        await Tick();
        Assert.Equal(12, _server.Workloads.Replicas("video", "video-transcoder"));
        Assert.Contains("stabiliz", (await StatusAsync()).LastReason, StringComparison.OrdinalIgnoreCase);
        for (var i = 0; i < 59; i++)
        {
            await Tick(seconds: 5);
        }

        Assert.Equal(12, _server.Workloads.Replicas("video", "video-transcoder"));
        await Tick(seconds: 5); // one down window (300 s) after the first evaluation
        Assert.True(_server.Workloads.Replicas("video", "video-transcoder") < 12);
    }

    [Fact]
    public async Task Tick_IntervalShortenedAfterALongOne_EvaluatesAtOnceNotAfterTheOldInterval()
    {
        var slow = TestPolicies.Auto() with { Spec = TestPolicies.Auto().Spec with { EvaluationIntervalSeconds = 600 } };
        await Given(slow, replicas: 3, qps: 300);
        await Tick();
        _server.Metrics.Set(TestPolicies.Query("video-transcoder"), 700);

        var stored = (await _server.Policies.GetAsync("video", "video-transcoder", default))!;
        await _server.Policies.UpsertAsync(stored with { Spec = stored.Spec with { EvaluationIntervalSeconds = 5 } }, default);
        await Tick(seconds: 1);

        Assert.Equal(7, _server.Workloads.Replicas("video", "video-transcoder"));
    }

    [Fact]
    public async Task Tick_PoliciesShareAnExpression_QueriesItOnce()
    {
        var shared = TestPolicies.Auto("video", "a");
        var other = TestPolicies.Auto("video", "b") with { Spec = shared.Spec with { Target = new TargetRef { Name = "b" } } };
        _server.Workloads.Add("video", "a", 3);
        _server.Workloads.Add("video", "b", 3);
        await _server.Policies.UpsertAsync(shared, default);
        await _server.Policies.UpsertAsync(other, default);
        _server.Metrics.Set(TestPolicies.Query("a"), 300);

        await Tick();

        Assert.Equal([TestPolicies.Query("a")], Assert.Single(_server.Metrics.Calls));
    }

    [Fact]
    public async Task Tick_OnlyTheReasonChanges_RefreshesTheStatusAfterTheRefreshPeriod()
    {
        await Given(TestPolicies.Auto(), replicas: 3, qps: 700);
        await Tick();
        await Tick(seconds: 5); // replicas moved 3 → 7: written
        var settled = await StatusAsync();

        _server.Metrics.Set(TestPolicies.Query("video-transcoder"), 690);
        await Tick(seconds: 5);
        _server.Metrics.Set(TestPolicies.Query("video-transcoder"), 695);
        await Tick(seconds: 50); // 55 s after the last write: under the 60 s refresh
        var skipped = await StatusAsync();

        await Tick(seconds: 70); // 125 s: past the refresh even with the largest per-policy spread (120 s)
        var refreshed = await StatusAsync();

        Assert.Equal((7, 7), (settled.CurrentReplicas, settled.DesiredReplicas));
        Assert.Equal(settled, skipped);
        Assert.Equal(_server.Time.GetUtcNow(), refreshed.LastEvaluationTime);
        Assert.NotEqual(settled.LastReason, refreshed.LastReason);
    }

    private async Task Given(ScalePolicy policy, int replicas, double qps)
    {
        _server.Workloads.Add(policy.Metadata.Namespace, policy.Spec.Target.Name, replicas);
        await _server.Policies.UpsertAsync(policy, default);
        _server.Metrics.Set(TestPolicies.Query(policy.Spec.Target.Name), qps);
    }

    private async Task<ScalePolicyStatus> StatusAsync() =>
        (await _server.Policies.GetAsync("video", "video-transcoder", default))!.Status!;

    private Task Tick(int seconds = 0)
    {
        _server.Time.Advance(TimeSpan.FromSeconds(seconds));
        return _server.Service<Reconciler>().TickAsync(default);
    }

    private async Task<IReadOnlyList<ScaleProposal>> Open(string ns) =>
        [.. (await _server.Proposals.ListAsync(ns, default)).Where(p => p.Status.Phase.IsOpen())];
}
