using ScaleControl.Core.Ports;
using ScaleControl.Core.Proposals;
using ScaleControl.Server.Tests.Infrastructure;
using Xunit.Abstractions;
using static ScaleControl.Server.Tests.Infrastructure.ServerFactory;
using ScaleControl.Server.Control.Loop;

namespace ScaleControl.Server.Tests.Control;

/// <summary>
/// The issue's figures on a fake clock: a hot event over a three-service chain (4x over 3 minutes, held 10 minutes,
/// one evaluation every 5 s). One card, at most one DING, at most 6 card updates a minute, one tap; and after the
/// event (back to the pre-event traffic over 2 minutes) the way back on the same card with one more tap.
/// </summary>
public sealed class HotEventFiguresTests(ITestOutputHelper output) : IDisposable
{
    private static readonly string[] s_chain = ["gateway", "feed", "comments"];
    private readonly ServerFactory _server = new();

    public void Dispose() => _server.Dispose();

    [Fact]
    public async Task HotEventOverAChain_OneCardOneDingFewUpdatesOneTap()
    {
        foreach (var name in s_chain)
        {
            var policy = TestPolicies.Approval("feed", name);
            _server.Workloads.Add("feed", name, 4);
            await _server.Policies.UpsertAsync(policy with { Spec = policy.Spec with { Group = "feed-chain" } }, default);
        }

        var updatesPerMinute = new List<int>();
        var taps = 0;
        var lastUpdates = 0;
        List<int>? peak = null;
        for (var second = 0; second <= 35 * 60; second += 5)
        {
            // 400 → 1,600 over 3 minutes, held to minute 13, back to 400 (the pre-event level) by minute 15.
            var qps = second <= 13 * 60 ? 400 * (1 + (3 * Math.Min(second, 180) / 180.0)) : Math.Max(400, 1600 - (1200 * (second - (13 * 60)) / 120.0));
            foreach (var name in s_chain)
            {
                _server.Metrics.Set(TestPolicies.Query(name), qps);
            }

            await _server.Service<Reconciler>().TickAsync(default);
            if (second == 180)
            {
                // The approver looks once, after the ramp: one tap on the card.
                var lead = (await _server.Proposals.ListAsync("feed", default)).Where(p => p.Status.Phase == ProposalPhase.Pending).OrderBy(ProposalFactory.CreatedAt).First();
                var result = await _server.Service<IApprovalInbox>().DecideAsync(
                    new ApprovalCommand("feed", lead.Metadata.Name, "zhangsan", ApprovalChannel.DingTalk, true, Replicas: lead.Spec.ToReplicas, AllRows: true), default);
                Assert.Equal(ApprovalResultKind.Accepted, result.Kind);
                taps++;
            }

            if (second == 13 * 60)
            {
                peak = [.. s_chain.Select(name => _server.Workloads.Replicas("feed", name))];
            }

            var returns = (await _server.Proposals.ListAsync("feed", default)).Where(p => ReturnToNormalRules.IsReturn(p) && p.Status.Phase == ProposalPhase.Pending).ToList();
            if (returns.Count == s_chain.Length)
            {
                // The way back: all three rows wait on the event's card; one Approve all.
                var result = await _server.Service<IApprovalInbox>().DecideAsync(
                    new ApprovalCommand("feed", returns[0].Metadata.Name, "lisi", ApprovalChannel.DingTalk, true, AllRows: true), default);
                Assert.Equal(ApprovalResultKind.Accepted, result.Kind);
                Assert.All(returns, r => Assert.Equal(returns[0].Status.Card!.OutTrackId, r.Status.Card!.OutTrackId));
                taps++;
            }

            if (second % 60 == 55)
            {
                var updates = _server.Cards.Updates.Count + _server.Cards.GroupUpdates.Count;
                updatesPerMinute.Add(updates - lastUpdates);
                lastUpdates = updates;
            }

            _server.Time.Advance(TimeSpan.FromSeconds(5));
        }

        var replicas = s_chain.Select(name => _server.Workloads.Replicas("feed", name)).ToList();
        var proposals = await _server.Proposals.ListAsync("feed", default);
        output.WriteLine($"cards {_server.Cards.Sent.Count}, DINGs {_server.Cards.Escalations.Count}, card updates per minute [{string.Join(", ", updatesPerMinute)}], taps {taps}, "
            + $"replicas at the peak [{string.Join(", ", peak!)}], after the way back [{string.Join(", ", replicas)}], proposals {proposals.Count} ({proposals.Count(ReturnToNormalRules.IsReturn)} returns)");

        Assert.Single(_server.Cards.Sent);
        Assert.True(_server.Cards.Escalations.Count <= 1, $"{_server.Cards.Escalations.Count} DINGs");
        Assert.True(updatesPerMinute.Max() <= 6, $"card updates per minute: {string.Join(", ", updatesPerMinute)}");
        Assert.All(peak!, r => Assert.InRange(r, 15, 16));
        Assert.Equal(2, taps); // one for the event, one for the way back
        Assert.Equal(s_chain.Length, proposals.Count(ReturnToNormalRules.IsReturn));
        Assert.All(replicas, r => Assert.Equal(4, r));
    }
}
