using ScaleControl.Core.Ports;
using ScaleControl.Core.Proposals;
using ScaleControl.Server.Tests.Infrastructure;
using Xunit.Abstractions;
using static ScaleControl.Server.Tests.Infrastructure.ServerFactory;
using ScaleControl.Server.Control.Loop;

namespace ScaleControl.Server.Tests.Control;

/// <summary>
/// The issue's figures on a fake clock: a hot event over a three-service chain (4x over 3 minutes, held 10 minutes,
/// one evaluation every 5 s). One card, at most one DING, at most 6 card updates a minute, one tap.
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
        for (var second = 0; second <= 13 * 60; second += 5)
        {
            var qps = 400 * (1 + (3 * Math.Min(second, 180) / 180.0)); // 400 → 1,600 over 3 minutes, then held
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

            if (second % 60 == 55)
            {
                var updates = _server.Cards.Updates.Count + _server.Cards.GroupUpdates.Count;
                updatesPerMinute.Add(updates - lastUpdates);
                lastUpdates = updates;
            }

            _server.Time.Advance(TimeSpan.FromSeconds(5));
        }

        var replicas = s_chain.Select(name => _server.Workloads.Replicas("feed", name)).ToList();
        output.WriteLine($"cards {_server.Cards.Sent.Count}, DINGs {_server.Cards.Escalations.Count}, card updates per minute [{string.Join(", ", updatesPerMinute)}], taps {taps}, replicas [{string.Join(", ", replicas)}]");

        Assert.Single(_server.Cards.Sent);
        Assert.True(_server.Cards.Escalations.Count <= 1, $"{_server.Cards.Escalations.Count} DINGs");
        Assert.True(updatesPerMinute.Max() <= 6, $"card updates per minute: {string.Join(", ", updatesPerMinute)}");
        Assert.Equal(1, taps);
        Assert.All(replicas, r => Assert.InRange(r, 15, 16));
    }
}
