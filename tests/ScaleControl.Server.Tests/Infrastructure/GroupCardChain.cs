using ScaleControl.Core.Proposals;
using ScaleControl.Server.Control.Loop;

namespace ScaleControl.Server.Tests.Infrastructure;

/// <summary>Three services of one group ("feed-chain") under a load that asks each to scale 4 → 10: one card, three rows.</summary>
public static class GroupCardChain
{
    public static readonly string[] Services = ["gateway", "feed", "comments"];

    /// <summary>The three services in <paramref name="ns"/>, and the tick that proposes them on one card.</summary>
    public static async Task GivenChainUnderLoadAsync(this ServerFactory server, string ns)
    {
        await server.AddUnderLoadAsync(ns, Services);
        await server.Service<Reconciler>().TickAsync(default);
    }

    /// <summary>Approval policies of the group at 4 replicas and 1000 QPS (a card may span namespaces); no tick.</summary>
    public static async Task AddUnderLoadAsync(this ServerFactory server, string ns, params string[] names)
    {
        foreach (var name in names)
        {
            var policy = TestPolicies.Approval(ns, name);
            server.Workloads.Add(ns, name, 4);
            await server.Policies.UpsertAsync(policy with { Spec = policy.Spec with { Group = "feed-chain" } }, default);
            server.Metrics.Set(TestPolicies.Query(name), 1000);
        }
    }

    public static async Task<IReadOnlyList<ScaleProposal>> OpenAsync(this ServerFactory server, string ns) =>
        [.. (await server.Proposals.ListAsync(ns, default)).Where(p => p.Status.Phase.IsOpen())];
}
