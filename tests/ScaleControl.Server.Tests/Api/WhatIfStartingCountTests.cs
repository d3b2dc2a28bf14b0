using ScaleControl.Core.Ports;
using ScaleControl.Core.Proposals;
using ScaleControl.Server.Control.Loop;
using ScaleControl.Server.Tests.Infrastructure;
using static ScaleControl.Server.Tests.Infrastructure.ServerFactory;

namespace ScaleControl.Server.Tests.Api;

/// <summary>
/// <c>whatif</c> starts from what the workload ran when its window began. Live (storm walkthrough): a card approved in
/// two parts (3 → 4, then → 14) and undone (14 → 4) gave "starting from 14 replicas: applied proposal … (14 → 4)" for a
/// window that began at 3: the partly applied part was not counted as a change, and the undone proposal's latest
/// Applied mark (the undo's) was taken for its apply.
/// </summary>
public sealed class WhatIfStartingCountTests : IDisposable
{
    private readonly ServerFactory _server = new();

    public void Dispose() => _server.Dispose();

    [Fact]
    public async Task WhatIf_WindowBeforeAPartlyApprovedThenUndoneCard_StartsFromTheCountBeforeItsFirstPart()
    {
        var policy = TestPolicies.Approval();
        var query = TestPolicies.Query("checkout-api");
        _server.Workloads.Add("shop", "checkout-api", 4);
        await _server.Policies.UpsertAsync(policy, default);
        _server.Metrics.SetHistory(query, _ => 1000);
        _server.Metrics.Set(query, 1000);
        await Tick(seconds: 120);
        _server.Metrics.Set(query, 2000);
        await Tick(seconds: 30); // the card is amended 4 → 20 while it waits
        var name = (await _server.Proposals.ListAsync("shop", default)).Single().Metadata.Name;
        var inbox = _server.Service<IApprovalInbox>();
        await inbox.DecideAsync(new ApprovalCommand("shop", name, "zhangsan", ApprovalChannel.DingTalk, true, Replicas: 10), default); // the part seen: 4 → 10
        _server.Time.Advance(TimeSpan.FromSeconds(20));
        await inbox.DecideAsync(new ApprovalCommand("shop", name, "lisi", ApprovalChannel.DingTalk, true), default); // the rest: 10 → 20
        _server.Time.Advance(TimeSpan.FromSeconds(20));
        var undo = await _server.Service<IUndoInbox>().UndoAsync(new UndoOrder("shop", name, "lisi", ApprovalChannel.DingTalkChat, "during ramp"), default);
        Assert.Equal(UndoResultKind.Applied, undo.Kind);
        Assert.Equal(10, _server.Workloads.Replicas("shop", "checkout-api"));

        using var client = _server.ClientWith(ViewerToken);
        using var response = await client.PostJson("/api/v1/policies/shop/checkout-api/whatif", new { fromSeconds = 600, stepSeconds = 15 });
        var result = await response.ReadJson();

        Assert.Equal(4, result.GetProperty("startReplicas").GetInt32());
        Assert.Equal($"applied proposal {name} (4 → 10)", result.GetProperty("startedFrom").GetString());
    }

    private Task Tick(int seconds = 0)
    {
        _server.Time.Advance(TimeSpan.FromSeconds(seconds));
        return _server.Service<Reconciler>().TickAsync(default);
    }
}
