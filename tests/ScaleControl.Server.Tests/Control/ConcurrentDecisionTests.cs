using System.Net;
using System.Text.Json;
using ScaleControl.Core.Proposals;
using ScaleControl.Server.Control.Loop;
using ScaleControl.Server.Tests.Infrastructure;

namespace ScaleControl.Server.Tests.Control;

/// <summary>
/// Approvals while other replicas write the same proposal: the decision is re-taken on what the store holds now, not
/// on a watch cache that has not seen the other write yet; and a write that loses every try is a clear 409, never a 500.
/// (Seen once in CI under load: 500 concurrent approvals on two replicas, one API caller answered 500.)
/// </summary>
public sealed class ConcurrentDecisionTests : IAsyncLifetime
{
    private readonly ServerFactory _server = new();
    private ScaleProposal _pending = null!;

    public async Task InitializeAsync()
    {
        await _server.Policies.UpsertAsync(TestPolicies.Approval(), default);
        _server.Workloads.Add("shop", "checkout-api", 2);
        _server.Metrics.Set(TestPolicies.Query("checkout-api"), 800);
        await _server.Service<Reconciler>().TickAsync(default);
        _pending = Assert.Single(await _server.Proposals.ListAsync("shop", default), p => p.Status.Phase == ProposalPhase.Pending);
    }

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public async Task Approve_WhileTheCacheTrailsAnotherReplicasWrite_IsAppliedOnce()
    {
        using var lag = _server.Proposals.LagReads();
        // Another replica's write that this replica's cache has not seen (and keeps not seeing).
        await _server.Proposals.UpdateAsync(_pending with { Status = _pending.Status with { Message = "card refreshed by replica-b" } }, default);

        using var response = await _server.ClientWith(ServerFactory.ZhangsanToken).PostJson($"/api/v1/proposals/shop/{_pending.Metadata.Name}/approve", new { });

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(ProposalPhase.Applied, (await _server.Proposals.GetCurrentAsync("shop", _pending.Metadata.Name, default))!.Status.Phase);
        Assert.Equal(_pending.Spec.ToReplicas, _server.Workloads.Replicas("shop", "checkout-api"));
        Assert.Single(_server.Workloads.Writes);
    }

    [Fact]
    public async Task Approve_LosingEveryWrite_Answers409SayingNothingWasWritten()
    {
        _server.Proposals.ConflictsToInject = 100;

        using var response = await _server.ClientWith(ServerFactory.ZhangsanToken).PostJson($"/api/v1/proposals/shop/{_pending.Metadata.Name}/approve", new { });

        Assert.Equal(HttpStatusCode.Conflict, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        Assert.Contains("nothing of this request was written", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Equal(ProposalPhase.Pending, (await _server.Proposals.GetCurrentAsync("shop", _pending.Metadata.Name, default))!.Status.Phase);
        Assert.Empty(_server.Workloads.Writes);
    }
}
