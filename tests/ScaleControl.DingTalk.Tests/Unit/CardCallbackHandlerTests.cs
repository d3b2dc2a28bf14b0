using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using ScaleControl.DingTalk.Configuration;
using Microsoft.Extensions.Time.Testing;
using ScaleControl.Core.Commands;
using ScaleControl.Core.Ports;
using ScaleControl.Core.Proposals;
using ScaleControl.DingTalk.Callbacks;
using ScaleControl.DingTalk.Cards;
using ScaleControl.DingTalk.Tests.Support;
using V = ScaleControl.DingTalk.Cards.ApprovalCardVariables;

namespace ScaleControl.DingTalk.Tests.Unit;

public class CardCallbackHandlerTests
{
    private readonly FakeTimeProvider _time = new(SampleProposals.Created.AddMinutes(1));
    private readonly FakeApprovalInbox _inbox;
    private readonly FakeCommandInbox _commands = new();
    private readonly CardCallbackHandler _handler;

    public CardCallbackHandlerTests()
    {
        _inbox = new FakeApprovalInbox(_time);
        _inbox.Add(SampleProposals.Pending());
        _handler = new CardCallbackHandler(_inbox, _inbox, _commands, _time, Options.Create(new DingTalkOptions()), GroupTimes.From(new DingTalkOptions(), _time), NullLogger<CardCallbackHandler>.Instance);
    }

    private static CardCallback Tap(string user, string action, string outTrackId = "shop.checkout-api-7f3a") =>
        new(outTrackId, user, "corp", [action + "_btn"], new Dictionary<string, string> { ["action"] = action });

    [Fact]
    public async Task HandleAsync_ApproverApproves_RecordedWithoutWaitingForTheApply_CardNotTouchedByTheReply()
    {
        var reply = await _handler.HandleAsync(Tap("zhangsan", "approve"), CancellationToken.None);

        var command = Assert.Single(_inbox.Commands);
        Assert.Equal(new ApprovalCommand("shop", "checkout-api-7f3a", "zhangsan", ApprovalChannel.DingTalk, true, AwaitOutcome: false), command);
        Assert.Null(reply!.CardData);
        Assert.StartsWith("Recorded: ", reply.UserPrivateData!.CardParamMap[V.PrivateMessage]);
        Assert.Equal(ProposalPhase.Applied, _inbox.Get("shop", "checkout-api-7f3a").Status.Phase);
    }

    [Fact]
    public async Task HandleAsync_RowButton_DecidesTheNamedRowWithTheCountOnTheButton()
    {
        var tap = new CardCallback("shop.checkout-api-7f3a", "zhangsan", "corp", ["approve_row"],
            new Dictionary<string, string> { ["action"] = "approve_row", ["row"] = "feed/comments-1a2b", ["replicas"] = "6" });

        await _handler.HandleAsync(tap, CancellationToken.None);

        Assert.Equal(
            new ApprovalCommand("shop", "checkout-api-7f3a", "zhangsan", ApprovalChannel.DingTalk, true, Replicas: 6, AwaitOutcome: false, Row: "feed/comments-1a2b"),
            Assert.Single(_inbox.Commands));
    }

    [Fact]
    public async Task HandleAsync_RowRejectButton_RejectsTheRowOnly()
    {
        var tap = new CardCallback("shop.checkout-api-7f3a", "lisi", "corp", ["reject_row"],
            new Dictionary<string, string> { ["action"] = "reject_row", ["row"] = "feed/comments-1a2b" });

        await _handler.HandleAsync(tap, CancellationToken.None);

        var command = Assert.Single(_inbox.Commands);
        Assert.Equal((false, false, "feed/comments-1a2b"), (command.Approve, command.AllRows, command.Row));
    }

    [Fact]
    public async Task HandleAsync_ApproveAll_SendsTheRowsAndCountsTheCardShowed()
    {
        var tap = new CardCallback("shop.checkout-api-7f3a", "zhangsan", "corp", ["approve_all"],
            new Dictionary<string, string> { ["action"] = "approve_all", ["seen"] = "feed/gateway-1a2b=8,feed/comments-3c4d=6" });

        await _handler.HandleAsync(tap, CancellationToken.None);

        var command = Assert.Single(_inbox.Commands);
        Assert.True(command.AllRows);
        Assert.Equal(new Dictionary<string, int> { ["feed/gateway-1a2b"] = 8, ["feed/comments-3c4d"] = 6 }, command.SeenRows);
    }

    [Theory]
    [InlineData("feed/gateway-1a2b")]
    [InlineData("gateway=8")]
    [InlineData("feed/gateway-1a2b=0")]
    [InlineData("feed/gateway-1a2b=x")]
    [InlineData("feed/gateway-1a2b=8,feed/gateway-1a2b=9")]
    public async Task HandleAsync_ApproveAllWithADamagedSeenParam_RefusedAndNothingDecided(string seen)
    {
        var tap = new CardCallback("shop.checkout-api-7f3a", "zhangsan", "corp", ["approve_all"],
            new Dictionary<string, string> { ["action"] = "approve_all", ["seen"] = seen });

        var reply = await _handler.HandleAsync(tap, CancellationToken.None);

        Assert.Empty(_inbox.Commands);
        Assert.Equal("This button's rows could not be read; nothing was changed.", reply!.UserPrivateData!.CardParamMap[V.PrivateMessage]);
    }

    /// <summary>
    /// A count on the button that is not a whole number above 0 was read as "no count", which approves whatever the
    /// proposal asks by then: a damaged (or forged) callback is refused instead.
    /// </summary>
    [Theory]
    [InlineData("approve", "-1")]
    [InlineData("approve", "0")]
    [InlineData("approve", "99999999999")]
    [InlineData("approve", "1e3")]
    [InlineData("approve_half", "five")]
    [InlineData("approve_row", " 6")]
    public async Task HandleAsync_ApproveWithAnUnreadableCount_RefusedAndNothingDecided(string action, string replicas)
    {
        var tap = new CardCallback("shop.checkout-api-7f3a", "zhangsan", "corp", [action],
            new Dictionary<string, string> { ["action"] = action, ["replicas"] = replicas, ["row"] = "shop/checkout-api-7f3a" });

        var reply = await _handler.HandleAsync(tap, CancellationToken.None);

        Assert.Empty(_inbox.Commands);
        Assert.Equal("This button's replica count could not be read; nothing was changed.", reply!.UserPrivateData!.CardParamMap[V.PrivateMessage]);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("no-namespace")]
    public async Task HandleAsync_RowButtonWithoutARow_RefusedAndNothingDecided(string? row)
    {
        var values = new Dictionary<string, string> { ["action"] = "approve_row" };
        if (row is not null)
        {
            values["row"] = row;
        }

        var reply = await _handler.HandleAsync(new CardCallback("shop.checkout-api-7f3a", "zhangsan", "corp", ["approve_row"], values), CancellationToken.None);

        Assert.Empty(_inbox.Commands);
        Assert.Equal("This row button names no row; nothing was changed.", reply!.UserPrivateData!.CardParamMap[V.PrivateMessage]);
    }

    [Fact]
    public async Task HandleAsync_ConfirmOnAConfirmationCard_IsTheConfirmCommandOfTheTapper_AnsweredPrivately()
    {
        var tap = new CardCallback("confirm.K7Q2AB", "lisi", "corp", ["confirm"], new Dictionary<string, string> { ["action"] = "confirm" });

        var reply = await _handler.HandleAsync(tap, CancellationToken.None);

        var request = Assert.Single(_commands.Requests);
        Assert.Equal((new ConfirmCommand("K7Q2AB") as ChatCommand, "lisi"), (request.Command, request.Sender));
        Assert.Equal("`confirm` refused for lisi", reply!.UserPrivateData!.CardParamMap[V.PrivateMessage]);
        Assert.Empty(_inbox.Commands);
    }

    [Fact]
    public async Task HandleAsync_ApproveOnAConfirmationCard_ChangesNothing()
    {
        var reply = await _handler.HandleAsync(Tap("zhangsan", "approve", "confirm.K7Q2AB"), CancellationToken.None);

        Assert.Empty(_commands.Requests);
        Assert.Empty(_inbox.Commands);
        Assert.Equal("Unknown button; nothing was changed.", reply!.UserPrivateData!.CardParamMap[V.PrivateMessage]);
    }

    [Fact]
    public async Task HandleAsync_NonApprover_GetsPrivateMessageAndNothingChanges()
    {
        var reply = await _handler.HandleAsync(Tap("wangwu", "approve"), CancellationToken.None);

        Assert.Null(reply!.CardData);
        Assert.Equal("you are not an approver for shop/checkout-api", reply.UserPrivateData!.CardParamMap[V.PrivateMessage]);
        Assert.Equal(ProposalPhase.Pending, _inbox.Get("shop", "checkout-api-7f3a").Status.Phase);
    }

    [Fact]
    public async Task HandleAsync_LateTapAfterDecision_GetsPrivateMessage()
    {
        await _handler.HandleAsync(Tap("zhangsan", "reject"), CancellationToken.None);

        var reply = await _handler.HandleAsync(Tap("lisi", "approve"), CancellationToken.None);

        Assert.Null(reply!.CardData);
        Assert.Equal("too late: shop/checkout-api is already rejected", reply.UserPrivateData!.CardParamMap[V.PrivateMessage]);
        Assert.Equal(ProposalPhase.Rejected, _inbox.Get("shop", "checkout-api-7f3a").Status.Phase);
    }

    [Fact]
    public async Task HandleAsync_Reject_SendsRejectionWithReason()
    {
        var reply = await _handler.HandleAsync(Tap("lisi", "reject"), CancellationToken.None);

        var command = Assert.Single(_inbox.Commands);
        Assert.False(command.Approve);
        Assert.Equal("rejected on DingTalk", command.Reason);
        Assert.Null(reply!.CardData);
        Assert.Equal(ProposalPhase.Rejected, _inbox.Get("shop", "checkout-api-7f3a").Status.Phase);
    }

    [Fact]
    public async Task HandleAsync_ApproveHalf_ApprovesTheProposalsAlternative()
    {
        await _handler.HandleAsync(Tap("lisi", "approve_half"), CancellationToken.None);

        Assert.True(Assert.Single(_inbox.Commands).HalfStep);
        Assert.Equal(40, _inbox.Get("shop", "checkout-api-7f3a").Status.AppliedReplicas);
    }

    [Fact]
    public async Task HandleAsync_ApproveHalfWithoutAlternative_RefusedAndNothingChanges()
    {
        _inbox.Add(SampleProposals.Pending(alternative: null, name: "no-alt"));

        var reply = await _handler.HandleAsync(Tap("lisi", "approve_half", "shop.no-alt"), CancellationToken.None);

        Assert.Contains("no half step", reply!.UserPrivateData!.CardParamMap[V.PrivateMessage]);
        Assert.Equal(ProposalPhase.Pending, _inbox.Get("shop", "no-alt").Status.Phase);
    }

    [Fact]
    public async Task HandleAsync_ForeignOutTrackIdOrUnknownButton_RefusedPrivately()
    {
        var foreign = await _handler.HandleAsync(Tap("zhangsan", "approve", "not-ours"), CancellationToken.None);
        var unknown = await _handler.HandleAsync(new CardCallback("shop.checkout-api-7f3a", "zhangsan", null, ["x"], new Dictionary<string, string>()), CancellationToken.None);

        Assert.Empty(_inbox.Commands);
        Assert.Null(foreign!.CardData);
        Assert.Null(unknown!.CardData);
    }

    [Theory]
    [InlineData("staging", "prod:shop.checkout-api-7f3a")]
    [InlineData("staging", "shop.checkout-api-7f3a")]
    [InlineData(null, "prod:shop.checkout-api-7f3a")]
    public async Task HandleAsync_CardOfAnotherInstance_HandedBack_NothingDecided(string? instance, string outTrackId)
    {
        var handler = new CardCallbackHandler(_inbox, _inbox, _commands, _time, Options.Create(new DingTalkOptions { Instance = instance }), GroupTimes.From(new DingTalkOptions(), _time), NullLogger<CardCallbackHandler>.Instance);

        var reply = await handler.HandleAsync(Tap("zhangsan", "approve", outTrackId), CancellationToken.None);

        Assert.Null(reply);
        Assert.Empty(_inbox.Commands);
        Assert.Equal(ProposalPhase.Pending, _inbox.Get("shop", "checkout-api-7f3a").Status.Phase);
    }

    [Fact]
    public async Task HandleAsync_CardOfThisNamedInstance_Decided()
    {
        var handler = new CardCallbackHandler(_inbox, _inbox, _commands, _time, Options.Create(new DingTalkOptions { Instance = "prod" }), GroupTimes.From(new DingTalkOptions(), _time), NullLogger<CardCallbackHandler>.Instance);

        var reply = await handler.HandleAsync(Tap("zhangsan", "approve", "prod:shop.checkout-api-7f3a"), CancellationToken.None);

        Assert.StartsWith("Recorded: ", reply!.UserPrivateData!.CardParamMap[V.PrivateMessage]);
        Assert.Equal(new ApprovalCommand("shop", "checkout-api-7f3a", "zhangsan", ApprovalChannel.DingTalk, true, AwaitOutcome: false), Assert.Single(_inbox.Commands));
    }

    [Fact]
    public async Task HandleAsync_DecisionSlowerThanBudget_AnswersEarlyAndDecisionStillCompletes()
    {
        // The decision cannot finish before the test lets it: the budget runs out first however slowly the machine runs.
        _inbox.Gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var handler = new CardCallbackHandler(_inbox, _inbox, _commands, TimeProvider.System, Options.Create(new DingTalkOptions()), GroupTimes.From(new DingTalkOptions(), TimeProvider.System), NullLogger<CardCallbackHandler>.Instance)
        { ReplyBudget = TimeSpan.FromMilliseconds(50) };

        var reply = await handler.HandleAsync(Tap("zhangsan", "approve"), CancellationToken.None);
        var phaseWhenAnswered = _inbox.Get("shop", "checkout-api-7f3a").Status.Phase;
        _inbox.Gate.SetResult();

        Assert.Null(reply!.CardData);
        Assert.StartsWith("Received", reply.UserPrivateData!.CardParamMap[V.PrivateMessage]);
        Assert.Equal(ProposalPhase.Pending, phaseWhenAnswered);
        Assert.True(await DingTalkWorld.EventuallyAsync(() => _inbox.Get("shop", "checkout-api-7f3a").Status.Phase == ProposalPhase.Applied),
            "the decision completes after the early answer");
    }

    [Fact]
    public async Task HandleAsync_DecisionSlowerThanBudget_ItsOutcomeReachesTheTapperPrivatelyOnTheCardAfterwards()
    {
        _inbox.Gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var late = new RecordingLateAnswers();
        var handler = new CardCallbackHandler(_inbox, _inbox, _commands, TimeProvider.System, Options.Create(new DingTalkOptions()), GroupTimes.From(new DingTalkOptions(), TimeProvider.System), NullLogger<CardCallbackHandler>.Instance, late)
        { ReplyBudget = TimeSpan.FromMilliseconds(50) };

        var reply = await handler.HandleAsync(Tap("wangwu", "approve"), CancellationToken.None);
        Assert.StartsWith("Received", reply!.UserPrivateData!.CardParamMap[V.PrivateMessage]);
        Assert.Empty(late.Shown);
        _inbox.Gate.SetResult();

        // wangwu is not on the roster: before, the refusal reached nobody once the early answer had gone.
        Assert.True(await DingTalkWorld.EventuallyAsync(() => !late.Shown.IsEmpty), "the late outcome is shown");
        var (outTrackId, user, data) = Assert.Single(late.Shown);
        Assert.Equal(("shop.checkout-api-7f3a", "wangwu"), (outTrackId, user));
        Assert.Contains("not an approver", data[V.PrivateMessage], StringComparison.Ordinal);
    }

    [Fact]
    public async Task HandleAsync_UndoAllSlowerThanBudget_EachRowsOutcomeReachesTheTapperAfterwards()
    {
        _inbox.Gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _inbox.UndoAnswer = new UndoResult(UndoResultKind.Applied,
            "2 of 3 rows undone: feed/feed-gateway: cannot undo feed-gateway-1: the traffic moved on: proposal feed-gateway-2 asks 3 → 4 now and waits for approval");
        var late = new RecordingLateAnswers();
        var handler = new CardCallbackHandler(_inbox, _inbox, _commands, TimeProvider.System, Options.Create(new DingTalkOptions()), GroupTimes.From(new DingTalkOptions(), TimeProvider.System), NullLogger<CardCallbackHandler>.Instance, late)
        { ReplyBudget = TimeSpan.FromMilliseconds(50) };

        var reply = await handler.HandleAsync(Tap("zhangsan", "undo_all"), CancellationToken.None);
        Assert.StartsWith("Received", reply!.UserPrivateData!.CardParamMap[V.PrivateMessage]);
        _inbox.Gate.SetResult();

        Assert.True(await DingTalkWorld.EventuallyAsync(() => !late.Shown.IsEmpty), "the late outcome is shown");
        var (_, user, data) = Assert.Single(late.Shown);
        Assert.Equal("zhangsan", user);
        Assert.Equal(_inbox.UndoAnswer.Message, data[V.PrivateMessage]);
    }

    [Fact]
    public async Task HandleAsync_AnsweredWithinBudget_NothingIsShownLater()
    {
        var late = new RecordingLateAnswers();
        var handler = new CardCallbackHandler(_inbox, _inbox, _commands, _time, Options.Create(new DingTalkOptions()), GroupTimes.From(new DingTalkOptions(), _time), NullLogger<CardCallbackHandler>.Instance, late);

        var reply = await handler.HandleAsync(Tap("zhangsan", "approve"), CancellationToken.None);

        Assert.StartsWith("Recorded: ", reply!.UserPrivateData!.CardParamMap[V.PrivateMessage]);
        Assert.Empty(late.Shown);
    }

    private sealed class RecordingLateAnswers : ILateTapAnswers
    {
        public System.Collections.Concurrent.ConcurrentQueue<(string OutTrackId, string UserId, IReadOnlyDictionary<string, string> Data)> Shown { get; } = new();

        public Task ShowAsync(string outTrackId, string userId, IReadOnlyDictionary<string, string> privateData, CancellationToken cancellationToken)
        {
            Shown.Enqueue((outTrackId, userId, privateData));
            return Task.CompletedTask;
        }
    }

    [Fact]
    public async Task HandleAsync_DuplicateApproval_PrivateMessageOnly()
    {
        await _handler.HandleAsync(Tap("zhangsan", "approve"), CancellationToken.None);

        var reply = await _handler.HandleAsync(Tap("zhangsan", "approve"), CancellationToken.None);

        Assert.Null(reply!.CardData);
        Assert.Equal("you already approved this", reply.UserPrivateData!.CardParamMap[V.PrivateMessage]);
    }

    [Fact]
    public async Task HandleAsync_Undo_GoesToTheUndoInboxAsTheCardChannel_AndAnswersPrivately()
    {
        _inbox.UndoAnswer = new UndoResult(UndoResultKind.Refused, "cannot undo checkout-api-7f3a: the workload has moved since");

        var reply = await _handler.HandleAsync(Tap("zhangsan", "undo"), CancellationToken.None);

        Assert.NotNull(reply);
        var order = Assert.Single(_inbox.Undos);
        Assert.Equal(("shop", "checkout-api-7f3a", "zhangsan", ApprovalChannel.DingTalk), (order.Namespace, order.Proposal, order.User, order.Channel));
        Assert.Empty(_inbox.Commands);
        Assert.Equal("cannot undo checkout-api-7f3a: the workload has moved since", reply.UserPrivateData!.CardParamMap[V.PrivateMessage]);
    }

    [Fact]
    public async Task HandleAsync_UndoAll_OneOrderForEveryRowOfTheTappedCard_RefusalsToldPrivately()
    {
        _inbox.UndoAnswer = new UndoResult(UndoResultKind.Applied, "2 of 3 rows undone: feed/feed-api: cannot undo feed-api-1: the workload has moved since");

        var reply = await _handler.HandleAsync(Tap("lisi", "undo_all", "feed.feed-gateway-1"), CancellationToken.None);

        var order = Assert.Single(_inbox.Undos);
        Assert.Equal(("feed", "feed-gateway-1", "lisi", ApprovalChannel.DingTalk, true), (order.Namespace, order.Proposal, order.User, order.Channel, order.AllRows));
        Assert.Empty(_inbox.Commands);
        Assert.Equal(_inbox.UndoAnswer.Message, reply!.UserPrivateData!.CardParamMap[V.PrivateMessage]);
        Assert.False((await Undos("undo")).AllRows);
    }

    private async Task<UndoOrder> Undos(string action)
    {
        await _handler.HandleAsync(Tap("zhangsan", action), CancellationToken.None);
        return _inbox.Undos.Last();
    }
}
