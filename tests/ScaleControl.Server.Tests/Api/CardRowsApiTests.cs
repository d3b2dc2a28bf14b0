using System.Net;
using ScaleControl.Core.Proposals;
using ScaleControl.Server.Control.Loop;
using ScaleControl.Server.Tests.Infrastructure;

namespace ScaleControl.Server.Tests.Api;

/// <summary>
/// A group card's rows decided over the REST API with <c>"allRows": true</c>, as the card's "Approve all" (live: in a
/// storm an SRE at a laptop could approve the services of one card only one proposal at a time).
/// </summary>
public sealed class CardRowsApiTests : IDisposable
{
    private readonly ServerFactory _server = new();

    public void Dispose() => _server.Dispose();

    [Fact]
    public async Task ApproveAll_ByWorkloadName_EveryRowScales_TheAnswerListsEachRow()
    {
        await _server.GivenChainUnderLoadAsync("feed");
        using var client = _server.ClientWith(ServerFactory.ZhangsanToken);

        using var response = await client.PostJson("/api/v1/proposals/feed/gateway/approve", new { allRows = true });

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var answer = await response.ReadJson();
        Assert.Equal("Accepted", answer.GetProperty("result").GetString());
        Assert.StartsWith("3 of 3 rows approved: ", answer.GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.Equal("gateway", answer.GetProperty("proposal").GetProperty("spec").GetProperty("target").GetProperty("name").GetString());
        var rows = answer.GetProperty("rows").EnumerateArray().ToList(); // the card's order
        Assert.Equal(["feed/comments", "feed/feed", "feed/gateway"], rows.Select(r => r.GetProperty("workload").GetString()));
        Assert.All(rows, r =>
        {
            Assert.Equal("Accepted", r.GetProperty("result").GetString());
            Assert.Equal("Applied", r.GetProperty("phase").GetString());
            Assert.Equal(4, r.GetProperty("fromReplicas").GetInt32());
            Assert.Equal(10, r.GetProperty("toReplicas").GetInt32());
        });
        Assert.All(GroupCardChain.Services, name => Assert.Equal(10, _server.Workloads.Replicas("feed", name)));
        Assert.Empty(await _server.OpenAsync("feed"));
    }

    [Fact]
    public async Task RejectAll_EveryRowRejectedWithTheReason_NothingScales()
    {
        await _server.GivenChainUnderLoadAsync("feed");
        var comments = (await _server.OpenAsync("feed")).Single(p => p.Spec.Target.Name == "comments");
        using var client = _server.ClientWith(ServerFactory.ZhangsanToken);

        using var response = await client.PostJson($"/api/v1/proposals/feed/{comments.Metadata.Name}/reject", new { reason = "bot traffic", allRows = true });

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var answer = await response.ReadJson();
        Assert.StartsWith("3 of 3 rows rejected", answer.GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.All(answer.GetProperty("rows").EnumerateArray(), r => Assert.Equal("Rejected", r.GetProperty("phase").GetString()));
        Assert.All(GroupCardChain.Services, name => Assert.Equal(4, _server.Workloads.Replicas("feed", name)));
        Assert.All(await _server.Proposals.ListAsync("feed", default), p => Assert.Equal("bot traffic", p.Status.Rejection?.Reason));
    }

    [Fact]
    public async Task ApproveAll_ARowInANamespaceTheCallerMayNotActIn_403NamingIt_NothingChanged()
    {
        // lisi is an operator in shop only; the card's rows are in shop and feed.
        await _server.AddUnderLoadAsync("shop", "gateway");
        await _server.AddUnderLoadAsync("feed", "feed", "comments");
        await _server.Service<Reconciler>().TickAsync(default);
        using var client = _server.ClientWith(ServerFactory.LisiToken);

        using var response = await client.PostJson("/api/v1/proposals/shop/gateway/approve", new { allRows = true });

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Contains("may not act in namespace 'feed'", (await response.ReadJson()).GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Empty(_server.Workloads.Writes);
        Assert.Equal(3, (await _server.OpenAsync("shop")).Count + (await _server.OpenAsync("feed")).Count);
    }

    [Fact]
    public async Task ApproveAll_ARowJoinsInANamespaceTheCallerMayNotActIn_AfterTheCheck_ThatRowStaysPending()
    {
        // lisi is an operator in shop only; a feed row joins the card after the API checked the shop rows.
        _server.BeforeDecision = async () =>
        {
            await _server.AddUnderLoadAsync("feed", "comments");
            await _server.Service<Reconciler>().TickAsync(default);
        };
        await _server.AddUnderLoadAsync("shop", "gateway", "feed");
        await _server.Service<Reconciler>().TickAsync(default);
        using var client = _server.ClientWith(ServerFactory.LisiToken);

        using var response = await client.PostJson("/api/v1/proposals/shop/gateway/approve", new { allRows = true });

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var message = (await response.ReadJson()).GetProperty("message").GetString();
        Assert.StartsWith("2 of 3 rows approved", message, StringComparison.Ordinal);
        Assert.Contains("feed/comments: joined the card after you looked", message, StringComparison.Ordinal);
        Assert.Equal(4, _server.Workloads.Replicas("feed", "comments"));
        Assert.Equal("comments", Assert.Single(await _server.OpenAsync("feed")).Spec.Target.Name);
        Assert.Equal(10, _server.Workloads.Replicas("shop", "gateway"));
    }

    [Fact]
    public async Task ApproveAll_WithReplicas_400NamingBothFields_NothingChanged()
    {
        await _server.GivenChainUnderLoadAsync("feed");
        using var client = _server.ClientWith(ServerFactory.ZhangsanToken);

        using var response = await client.PostJson("/api/v1/proposals/feed/gateway/approve", new { allRows = true, replicas = 6 });

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var errors = (await response.ReadJson()).GetProperty("errors");
        Assert.Contains("cannot be combined", errors.GetProperty("allRows")[0].GetString(), StringComparison.Ordinal);
        Assert.Contains("cannot be combined", errors.GetProperty("replicas")[0].GetString(), StringComparison.Ordinal);
        Assert.Equal(3, (await _server.OpenAsync("feed")).Count);
    }

    [Fact]
    public async Task ApproveOneRow_OnlyThatRowScales_TheAnswerSaysHowToDecideTheRest()
    {
        await _server.GivenChainUnderLoadAsync("feed");
        var gateway = (await _server.OpenAsync("feed")).Single(p => p.Spec.Target.Name == "gateway");
        using var client = _server.ClientWith(ServerFactory.ZhangsanToken);

        using var response = await client.PostJson($"/api/v1/proposals/feed/{gateway.Metadata.Name}/approve", new { });

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var answer = await response.ReadJson();
        Assert.EndsWith("; 2 more rows wait on this card: scalectl approve --all feed/gateway", answer.GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.False(answer.TryGetProperty("rows", out _));
        Assert.Equal(10, _server.Workloads.Replicas("feed", "gateway"));
        Assert.Equal(2, (await _server.OpenAsync("feed")).Count);
    }
}
