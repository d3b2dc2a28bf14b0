using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
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
    private readonly CardCallbackHandler _handler;

    public CardCallbackHandlerTests()
    {
        _inbox = new FakeApprovalInbox(_time);
        _inbox.Add(SampleProposals.Pending());
        var services = new ServiceCollection()
            .AddSingleton<IApprovalInbox>(_inbox)
            .AddSingleton<IProposalStore>(_inbox)
            .BuildServiceProvider();
        _handler = new CardCallbackHandler(services, new ApprovalCardContent(TimeZoneInfo.Utc, null, new Dictionary<string, string>()), _time, NullLogger<CardCallbackHandler>.Instance);
    }

    private static CardCallback Tap(string user, string action, string outTrackId = "shop.checkout-api-7f3a") =>
        new(outTrackId, user, "corp", [action + "_btn"], new Dictionary<string, string> { ["action"] = action });

    [Fact]
    public async Task HandleAsync_ApproverApproves_RepliesWithCardWithoutButtons()
    {
        var reply = await _handler.HandleAsync(Tap("zhangsan", "approve"), CancellationToken.None);

        var command = Assert.Single(_inbox.Commands);
        Assert.Equal(new ApprovalCommand("shop", "checkout-api-7f3a", "zhangsan", ApprovalChannel.DingTalk, true), command);
        Assert.NotNull(reply.CardData);
        Assert.Equal("applied", reply.CardData.CardParamMap[V.Status]);
        Assert.Equal("zhangsan", reply.CardData.CardParamMap[V.DecidedBy]);
        Assert.Equal("applied 20 → 60 at 10:33:00 UTC", reply.CardData.CardParamMap[V.Result]);
        Assert.Equal("", reply.UserPrivateData!.CardParamMap[V.PrivateMessage]);
        Assert.True(reply.CardUpdateOptions!.UpdateCardDataByKey);
    }

    [Fact]
    public async Task HandleAsync_NonApprover_GetsPrivateMessageAndNothingChanges()
    {
        var reply = await _handler.HandleAsync(Tap("wangwu", "approve"), CancellationToken.None);

        Assert.Null(reply.CardData);
        Assert.Equal("you are not an approver for shop/checkout-api", reply.UserPrivateData!.CardParamMap[V.PrivateMessage]);
        Assert.Equal(ProposalPhase.Pending, _inbox.Get("shop", "checkout-api-7f3a").Status.Phase);
    }

    [Fact]
    public async Task HandleAsync_LateTapAfterDecision_GetsPrivateMessage()
    {
        await _handler.HandleAsync(Tap("zhangsan", "reject"), CancellationToken.None);

        var reply = await _handler.HandleAsync(Tap("lisi", "approve"), CancellationToken.None);

        Assert.Null(reply.CardData);
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
        Assert.Equal("rejected", reply.CardData!.CardParamMap[V.Status]);
    }

    [Fact]
    public async Task HandleAsync_ApproveHalf_ApprovesTheProposalsAlternative()
    {
        var reply = await _handler.HandleAsync(Tap("lisi", "approve_half"), CancellationToken.None);

        Assert.Equal(40, Assert.Single(_inbox.Commands).Replicas);
        // Half a step is a partial "no": the card also says the rest is held, until when and who can lift it.
        Assert.StartsWith("applied 20 → 40 at 10:33:00 UTC. Held: no new proposal until ", reply.CardData!.CardParamMap[V.Result], StringComparison.Ordinal);
    }

    [Fact]
    public async Task HandleAsync_ApproveHalfWithoutAlternative_RefusesWithoutCallingInbox()
    {
        _inbox.Add(SampleProposals.Pending(alternative: null, name: "no-alt"));

        var reply = await _handler.HandleAsync(Tap("lisi", "approve_half", "shop.no-alt"), CancellationToken.None);

        Assert.Empty(_inbox.Commands);
        Assert.Contains("No half step", reply.UserPrivateData!.CardParamMap[V.PrivateMessage]);
    }

    [Fact]
    public async Task HandleAsync_ForeignOutTrackIdOrUnknownButton_RefusedPrivately()
    {
        var foreign = await _handler.HandleAsync(Tap("zhangsan", "approve", "not-ours"), CancellationToken.None);
        var unknown = await _handler.HandleAsync(new CardCallback("shop.checkout-api-7f3a", "zhangsan", null, ["x"], new Dictionary<string, string>()), CancellationToken.None);

        Assert.Empty(_inbox.Commands);
        Assert.Null(foreign.CardData);
        Assert.Null(unknown.CardData);
    }

    [Fact]
    public async Task HandleAsync_DecisionSlowerThanBudget_AnswersEarlyAndDecisionStillCompletes()
    {
        _inbox.Delay = TimeSpan.FromMilliseconds(300);
        var handler = new CardCallbackHandler(
            new ServiceCollection().AddSingleton<IApprovalInbox>(_inbox).BuildServiceProvider(),
            new ApprovalCardContent(TimeZoneInfo.Utc, null, new Dictionary<string, string>()),
            TimeProvider.System,
            NullLogger<CardCallbackHandler>.Instance)
        { ReplyBudget = TimeSpan.FromMilliseconds(50) };

        var reply = await handler.HandleAsync(Tap("zhangsan", "approve"), CancellationToken.None);

        Assert.Null(reply.CardData);
        Assert.StartsWith("Received", reply.UserPrivateData!.CardParamMap[V.PrivateMessage]);
        await Task.Delay(TimeSpan.FromSeconds(1));
        Assert.Equal(ProposalPhase.Applied, _inbox.Get("shop", "checkout-api-7f3a").Status.Phase);
    }

    [Fact]
    public async Task HandleAsync_DuplicateApproval_PrivateMessageOnly()
    {
        await _handler.HandleAsync(Tap("zhangsan", "approve"), CancellationToken.None);

        var reply = await _handler.HandleAsync(Tap("zhangsan", "approve"), CancellationToken.None);

        Assert.Null(reply.CardData);
        Assert.Equal("you already approved this", reply.UserPrivateData!.CardParamMap[V.PrivateMessage]);
    }
}
