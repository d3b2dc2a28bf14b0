using ScaleControl.Core.Commands;
using ScaleControl.Core.Proposals;
using ScaleControl.Server.Control.Loop;
using ScaleControl.Server.Tests.Infrastructure;

namespace ScaleControl.Server.Tests.Control;

/// <summary>
/// A group card's rows decided from chat: <c>approve all ns/workload</c> is the card's "Approve all" (live: in a storm the
/// chat could approve the three services of one card only one by one, and said nothing of the rows still waiting).
/// </summary>
public sealed class ChatCardRowsTests : IDisposable
{
    private readonly ServerFactory _server = new();

    public void Dispose() => _server.Dispose();

    private ICommandInbox Inbox => _server.Service<ICommandInbox>();

    private static CommandRequest From(string sender, ChatCommand command) => new(command, sender, sender, "text", "cidOnCall==");

    [Fact]
    public async Task ApproveAll_EveryRowOfTheCardScales_TheAnswerNamesTheCardAndEachRow()
    {
        await _server.GivenChainUnderLoadAsync("feed");

        var reply = await Inbox.ExecuteAsync(From("zhangsan", new ApproveCommand("feed", "gateway", AllRows: true)), default);

        Assert.Equal(CommandOutcome.Done, reply.Outcome);
        Assert.Contains("the **feed-chain** card (3 rows) by zhangsan: 3 of 3 rows approved", reply.Markdown, StringComparison.Ordinal);
        Assert.All(GroupCardChain.Services, name => Assert.Equal(10, _server.Workloads.Replicas("feed", name)));
        Assert.Empty(await _server.OpenAsync("feed"));
        Assert.All(await _server.Proposals.ListAsync("feed", default), p => Assert.Equal(ApprovalChannel.DingTalkChat, p.Status.Approvals.Single().Channel));
    }

    [Fact]
    public async Task ApproveOneRow_OnlyThatRowScales_TheAnswerSaysHowToDecideTheRest()
    {
        await _server.GivenChainUnderLoadAsync("feed");

        var reply = await Inbox.ExecuteAsync(From("zhangsan", new ApproveCommand("feed", "gateway")), default);

        Assert.Equal(CommandOutcome.Done, reply.Outcome);
        Assert.Contains("2 more rows wait on this card: `approve all feed/gateway` decides them all.", reply.Markdown, StringComparison.Ordinal);
        Assert.Equal(10, _server.Workloads.Replicas("feed", "gateway"));
        Assert.Equal(4, _server.Workloads.Replicas("feed", "comments"));
        Assert.Equal(2, (await _server.OpenAsync("feed")).Count);

        // Sent as the answer says, though gateway's own row is decided: the rest of its card.
        var rest = await Inbox.ExecuteAsync(From("zhangsan", new ApproveCommand("feed", "gateway", AllRows: true)), default);

        Assert.Equal(CommandOutcome.Done, rest.Outcome);
        Assert.Contains("2 of 2 rows approved", rest.Markdown, StringComparison.Ordinal);
        Assert.All(GroupCardChain.Services, name => Assert.Equal(10, _server.Workloads.Replicas("feed", name)));
    }

    [Fact]
    public async Task RejectAll_EveryRowRejectedWithTheReason_NothingScales()
    {
        await _server.GivenChainUnderLoadAsync("feed");

        var reply = await Inbox.ExecuteAsync(From("zhangsan", new RejectCommand("feed", "comments", "bot traffic", AllRows: true)), default);

        Assert.Equal(CommandOutcome.Done, reply.Outcome);
        Assert.Contains("3 of 3 rows rejected", reply.Markdown, StringComparison.Ordinal);
        Assert.All(GroupCardChain.Services, name => Assert.Equal(4, _server.Workloads.Replicas("feed", name)));
        Assert.All(await _server.Proposals.ListAsync("feed", default), p => Assert.Equal("bot traffic", p.Status.Rejection?.Reason));
    }

    [Fact]
    public async Task ApproveAll_ARowInANamespaceTheSenderMayNotActIn_RefusedWhole_NothingScales()
    {
        // lisi is an operator in shop only; the card's rows are in shop and feed.
        await _server.AddUnderLoadAsync("shop", "gateway");
        await _server.AddUnderLoadAsync("feed", "feed", "comments");
        await _server.Service<Reconciler>().TickAsync(default);

        var reply = await Inbox.ExecuteAsync(From("lisi", new ApproveCommand("shop", "gateway", AllRows: true)), default);

        Assert.Equal(CommandOutcome.Refused, reply.Outcome);
        Assert.Equal("`approve all` needs the operator role in `feed` too (a row of this card is there). Nothing was changed.", reply.Markdown);
        Assert.Equal(4, _server.Workloads.Replicas("shop", "gateway"));
        Assert.Equal(3, (await _server.OpenAsync("shop")).Count + (await _server.OpenAsync("feed")).Count);
    }

    [Fact]
    public async Task RejectAll_ARowJoinsInANamespaceTheSenderMayNotActIn_AfterTheCheck_ThatRowStaysPending()
    {
        // lisi is an operator in shop only; a feed row joins the card after the chat checked the shop rows.
        _server.BeforeDecision = async () =>
        {
            await _server.AddUnderLoadAsync("feed", "comments");
            await _server.Service<Reconciler>().TickAsync(default);
        };
        await _server.AddUnderLoadAsync("shop", "gateway", "feed");
        await _server.Service<Reconciler>().TickAsync(default);

        var reply = await Inbox.ExecuteAsync(From("lisi", new RejectCommand("shop", "gateway", "bot traffic", AllRows: true)), default);

        Assert.Equal(CommandOutcome.Done, reply.Outcome);
        Assert.Contains("2 of 3 rows rejected", reply.Markdown, StringComparison.Ordinal);
        Assert.Contains("feed/comments: joined the card after you looked", reply.Markdown, StringComparison.Ordinal);
        Assert.Equal(ProposalPhase.Pending, Assert.Single(await _server.OpenAsync("feed")).Status.Phase);
        Assert.Empty(await _server.OpenAsync("shop"));
    }

    [Fact]
    public async Task Proposals_RowsOfAGroupCardNameTheCard()
    {
        await _server.GivenChainUnderLoadAsync("feed");

        var reply = await Inbox.ExecuteAsync(From("zhangsan", new ProposalsCommand()), default);

        Assert.Equal(3, reply.Markdown.Split("· card **feed-chain**").Length - 1);
    }
}
