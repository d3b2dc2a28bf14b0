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
        Assert.Empty(_server.Workloads.Writes);
    }
}
