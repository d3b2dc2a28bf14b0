using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using ScaleControl.Core.Ports;
using ScaleControl.Core.Proposals;
using ScaleControl.Sandbox.DingTalk;
using ScaleControl.Server.Control.Loop;
using ScaleControl.Server.Hosting;
using ScaleControl.Server.SandboxMode;
using ScaleControl.Server.Tests.Infrastructure;
using ScaleControl.Testing.Traffic;
using Xunit.Abstractions;

namespace ScaleControl.Server.Tests.Control;

/// <summary>
/// Capacity before the traffic, as a sandbox user sees it: the seeded checkout-api policy reads the simulator's push
/// counter through the real Prometheus adapter (over HTTP, the sandbox's query API), all on one fake clock. A push to
/// 1M users raises the floor — a card, since checkout needs approval — and, approved when it comes and when it grows,
/// the replicas, early enough that pods started then (45 s) are ready for the opens.
/// </summary>
public sealed class SandboxPushSignalTests(ITestOutputHelper output) : IAsyncLifetime
{
    private const double BaselineQps = 120;
    private const double PodCapacityQps = 50;
    private static readonly TimeSpan s_podStartup = TimeSpan.FromSeconds(45);
    private readonly ServerFactory _server = new();
    private SandboxTrafficHost _traffic = null!;
    private HttpClient _http = null!;

    public async Task InitializeAsync()
    {
        _traffic = await SandboxTrafficHost.StartAsync(
            o => (o.TracesDirectory, o.NoiseFraction, o.Services) = (SamplePolicyQueries.TracesDirectory, 0,
                [new() { Namespace = "shop", Workload = "checkout-api", PeakQps = BaselineQps, PodCapacityQps = PodCapacityQps, Flat = true }]),
            services => services.AddSingleton<TimeProvider>(_server.Time));
        _http = new HttpClient { BaseAddress = _traffic.Url };
        _server.PrometheusUrl = new Uri(_traffic.Url, "sandbox/prometheus/");
    }

    public async Task DisposeAsync()
    {
        _http.Dispose();
        _server.Dispose();
        await _traffic.DisposeAsync();
    }

    [Fact]
    public async Task PushToOneMillionUsers_SeededCheckoutPolicy_FloorAndReplicasRiseBeforeTheTraffic()
    {
        var settings = new SandboxOptions();
        var checkout = SandboxCatalog.Tuned(SandboxCatalog.Services(DingTalkSandboxOptions.CreateDefault(), settings), settings)
            .Single(s => s.Name == "checkout-api").Policy;
        _server.Workloads.Add("shop", "checkout-api", 3);
        await _server.Policies.UpsertAsync(checkout, default);
        for (var i = 0; i < 12; i++)
            await TickAsync();
        Assert.Empty(await _server.Proposals.ListAsync("shop", default)); // a calm minute: nothing to ask

        using var sent = await _http.PostAsJsonAsync("/sandbox/traffic/pushes", new { @namespace = "shop", workload = "checkout-api", recipients = 1_000_000 });
        var pushAt = (await sent.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("startsAt").GetDateTimeOffset();
        DateTimeOffset? cardAt = null, trafficAt = null;
        ScaleProposal? card = null;
        var timeline = new List<(DateTimeOffset Time, int Replicas, double Demand)> { (_server.Time.GetUtcNow(), 3, await DemandAsync()) };
        while (_server.Time.GetUtcNow() < pushAt.AddMinutes(5))
        {
            await TickAsync();
            var now = _server.Time.GetUtcNow();
            if ((await _server.Proposals.ListAsync("shop", default)).FirstOrDefault(p => p.Status.Phase == ProposalPhase.Pending) is { } pending)
            {
                (card, cardAt) = (card ?? pending, cardAt ?? now);
                // zhangsan taps Approve on the card when it comes and when it asks for more.
                var approved = await _server.Service<IApprovalInbox>().DecideAsync(
                    new ApprovalCommand("shop", pending.Metadata.Name, "zhangsan", ApprovalChannel.DingTalk, true), default);
                Assert.Equal(ApprovalResultKind.Accepted, approved.Kind);
            }

            var demand = await DemandAsync();
            timeline.Add((now, _server.Workloads.Replicas("shop", "checkout-api"), demand));
            trafficAt ??= demand > BaselineQps * 1.1 ? now : null;
        }

        // A pod asked for at t serves from t + 45 s: is every second's demand covered by what was asked 45 s before?
        var late = timeline.Where(s => s.Demand > PodCapacityQps * timeline.LastOrDefault(e => e.Time <= s.Time - s_podStartup, timeline[0]).Replicas).ToList();
        var peak = timeline.MaxBy(s => s.Demand);
        output.WriteLine($"push {pushAt:HH:mm:ss}, first card {cardAt:HH:mm:ss} ({card?.Spec.FromReplicas} -> {card?.Spec.ToReplicas}: {card?.Spec.Reason}), "
            + $"traffic +10 % {trafficAt:HH:mm:ss}, peak {peak.Demand:0} QPS at {peak.Time:HH:mm:ss}, replicas {string.Join(" ", timeline.Select(s => s.Replicas).Distinct())}");
        Assert.NotNull(card);
        Assert.Contains("leading signal push", card.Spec.Reason, StringComparison.Ordinal);
        Assert.NotNull(trafficAt);
        Assert.InRange((trafficAt.Value - pushAt).TotalSeconds, 90, 150);
        Assert.True(cardAt <= trafficAt.Value - s_podStartup, $"first card {cardAt}, traffic {trafficAt}");
        Assert.True(late.Count == 0, $"short of capacity at {string.Join(", ", late.Select(s => $"{s.Time:HH:mm:ss} ({s.Demand:0} QPS)"))}");
    }

    private async Task TickAsync()
    {
        _server.Time.Advance(TimeSpan.FromSeconds(5));
        await _server.Service<Reconciler>().TickAsync(default);
    }

    private async Task<double> DemandAsync()
    {
        var services = await _http.GetFromJsonAsync<JsonElement>("/sandbox/traffic/services");
        return services.EnumerateArray().Single().GetProperty("demandQps").GetDouble();
    }
}
