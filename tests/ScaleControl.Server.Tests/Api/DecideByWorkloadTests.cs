using System.Net;
using ScaleControl.Core.Proposals;
using ScaleControl.Server.Tests.Infrastructure;

namespace ScaleControl.Server.Tests.Api;

/// <summary>
/// A single approve or reject over the API may name the workload, as the chat's <c>approve ns/workload</c> does (live:
/// <c>scalectl approve feed/gateway</c> answered 404 "ScaleProposal feed/gateway does not exist" while chat accepted it).
/// </summary>
public sealed class DecideByWorkloadTests : IDisposable
{
    private readonly ServerFactory _server = new();

    public void Dispose() => _server.Dispose();

    [Fact]
    public async Task Approve_ByWorkloadName_ThatRowScales_TheOthersStillWait()
    {
        await _server.GivenChainUnderLoadAsync("feed");
        using var client = _server.ClientWith(ServerFactory.ZhangsanToken);

        using var response = await client.PostJson("/api/v1/proposals/feed/gateway/approve", new { });

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var answer = await response.ReadJson();
        Assert.Equal("gateway", answer.GetProperty("proposal").GetProperty("spec").GetProperty("target").GetProperty("name").GetString());
        Assert.EndsWith("2 more rows wait on this card: scalectl approve --all feed/gateway", answer.GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.Equal(10, _server.Workloads.Replicas("feed", "gateway"));
        Assert.Equal(["comments", "feed"], (await _server.OpenAsync("feed")).Select(p => p.Spec.Target.Name).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task Reject_ByWorkloadName_ThatRowRejectedWithTheReason()
    {
        await _server.GivenChainUnderLoadAsync("feed");
        using var client = _server.ClientWith(ServerFactory.ZhangsanToken);

        using var response = await client.PostJson("/api/v1/proposals/feed/comments/reject", new { reason = "bot traffic" });

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var comments = (await _server.Proposals.ListAsync("feed", default)).Single(p => p.Spec.Target.Name == "comments");
        Assert.Equal(ProposalPhase.Rejected, comments.Status.Phase);
        Assert.Equal("bot traffic", comments.Status.Rejection?.Reason);
        Assert.Equal(4, _server.Workloads.Replicas("feed", "comments"));
    }

    [Fact]
    public async Task Approve_AWorkloadWithNoPendingProposal_404()
    {
        await _server.GivenChainUnderLoadAsync("feed");
        using var client = _server.ClientWith(ServerFactory.ZhangsanToken);

        using var response = await client.PostJson("/api/v1/proposals/feed/search/approve", new { });

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        // New user: `scalectl approve shop/checkout-api` with nothing pending said only "ScaleProposal shop/checkout-api
        // does not exist", though the docs let the id name the workload.
        Assert.Equal("ScaleProposal feed/search does not exist, and no workload of that name has a pending proposal; nothing was changed (scalectl get proposals -n feed --phase Pending lists them)",
            (await response.ReadJson()).GetProperty("detail").GetString());
        Assert.Empty(_server.Workloads.Writes);
    }
    /// <summary>
    /// An approve by workload that lost the race to a card tap (live: <c>scalectl approve shop/checkout-api</c> right after
    /// the card was tapped) said "ScaleProposal shop/checkout-api does not exist", which reads as a typo while the workload
    /// had just been scaled; chat said who decided. Now the API says it too, 409, and nothing more is written.
    /// </summary>
    [Theory]
    [InlineData("approve", "{}")]
    [InlineData("reject", """{"reason":"too late"}""")]
    public async Task Decide_ByWorkloadName_AfterSomeoneElseDecided_409SaysWhoDecided(string verb, string body)
    {
        await _server.GivenChainUnderLoadAsync("shop");
        using var lisi = _server.ClientWith(ServerFactory.LisiToken);
        (await lisi.PostJson("/api/v1/proposals/shop/gateway/approve", new { })).EnsureSuccessStatusCode();
        var writes = _server.Workloads.Writes.Count;
        using var client = _server.ClientWith(ServerFactory.ZhangsanToken);

        using var response = await client.PostAsync($"/api/v1/proposals/shop/gateway/{verb}",
            new StringContent(body, System.Text.Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.Conflict, response.StatusCode);
        var detail = (await response.ReadJson()).GetProperty("detail").GetString();
        Assert.Matches("^workload shop/gateway has no pending proposal: gateway-[0-9a-z-]+ was already approved by lisi \\(Applied\\); nothing was changed$", detail);
        Assert.Equal(writes, _server.Workloads.Writes.Count);
    }
}
