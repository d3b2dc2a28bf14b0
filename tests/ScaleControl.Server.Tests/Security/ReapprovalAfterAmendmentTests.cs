using System.Net;
using System.Text.Json;
using ScaleControl.Core.Decisions;
using ScaleControl.Core.Policies;
using ScaleControl.Core.Ports;
using ScaleControl.Core.Proposals;
using ScaleControl.Server.Control.Loop;
using ScaleControl.Server.Security;
using ScaleControl.Server.Tests.Infrastructure;
using ScaleControl.Testing.Timing;
using static ScaleControl.Server.Tests.Infrastructure.ServerFactory;

namespace ScaleControl.Server.Tests.Security;

/// <summary>
/// zhangsan approved 4 → 10; the traffic rose and the proposal now asks 4 → 14. Their approval is genuine but of the
/// earlier step, so it does not count — and a second tap answered "already approved": under a two-person rule with a
/// roster of two the proposal waited until it expired. They may approve again now: the new approval is of 4 → 14, it
/// counts, and the earlier one stays on the record as history. A repeat of the same ask is still a duplicate. The real
/// server and Kubernetes adapters against the sandbox API server, approvals over real HTTP.
/// </summary>
public sealed class ReapprovalAfterAmendmentTests : IAsyncLifetime
{
    private const string Ns = "shop";
    private const string Workload = "checkout-api";

    private ServerOnSandboxApi _world = null!;
    private ServerFactory _server = null!;

    public async Task InitializeAsync()
    {
        _world = await ServerOnSandboxApi.StartAsync(Ns, Workload);
        _server = _world.Server;
        // Approvals above 8 replicas need both zhangsan and lisi: the roster of two.
        var policy = TestPolicies.Approval(Ns, Workload);
        var rule = policy.Spec.Approval! with { TwoPersonRule = new TwoPersonRule { AboveReplicas = 8 } };
        await _server.Service<IPolicyStore>().UpsertAsync(policy with { Spec = policy.Spec with { Approval = rule } }, default);
    }

    public async Task DisposeAsync() => await _world.DisposeAsync();

    [Fact]
    public async Task ApprovedBeforeTheAmendment_ApprovesAgain_CountsForTheNewStep_TheEarlierStaysAsHistory_AndItApplies()
    {
        var proposal = await AmendedAfterZhangsanApprovedAsync();
        using var zhangsan = _server.ClientWith(ZhangsanToken);

        var again = await (await zhangsan.PostAsync($"/api/v1/proposals/{Ns}/{proposal}/approve", null)).ReadJson();
        var repeat = await (await zhangsan.PostAsync($"/api/v1/proposals/{Ns}/{proposal}/approve", null)).ReadJson();

        Assert.Equal("Accepted", again.GetProperty("result").GetString());
        Assert.StartsWith("approved 4 → 14 (you had approved 4 → 10 before it was amended); approval by zhangsan recorded; 1 more approval(s) needed (two-person rule)",
            again.GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.Equal("Duplicate", repeat.GetProperty("result").GetString());
        Assert.Contains("zhangsan already approved this proposal", repeat.GetProperty("message").GetString(), StringComparison.Ordinal);
        var waiting = await StoredAsync(proposal, approvals: 2);
        var signer = _server.Service<ApprovalSigner>();
        Assert.Equal([ApprovalSealFinding.EarlierAsk, ApprovalSealFinding.ThisAsk], waiting.Status.Approvals.Select(a => signer.Check(waiting, a)));
        Assert.Equal((4, 14), (waiting.Status.Approvals[1].Asked!.From, waiting.Status.Approvals[1].Asked!.To));
        Assert.Equal(4, Replicas());

        _server.Time.Advance(TimeSpan.FromSeconds(1));
        using var lisi = _server.ClientWith(LisiToken);
        using var second = await lisi.PostAsync($"/api/v1/proposals/{Ns}/{proposal}/approve", null);
        Assert.Equal(HttpStatusCode.OK, second.StatusCode);
        await _server.Service<Reconciler>().TickAsync(default);

        Assert.Equal(14, Replicas()); // both approved 4 → 14: all of it, not zhangsan's earlier 10
        await SeenAsync(proposal, p => p.Status.Phase == ProposalPhase.Applied);
        var approved = await RowsAsync("Approved");
        Assert.Equal(
            ["lisi approved 4 → 14", "zhangsan approved 4 → 14", "zhangsan approved 4 → 10 (it asked 4 → 10 then; amended since)"],
            approved.Select(r => r.GetProperty("message").GetString()));
        Assert.All(approved, r => Assert.False(r.TryGetProperty("unverified", out _)));
        Assert.Equal("zhangsan, lisi", Assert.Single(await RowsAsync("Applied")).GetProperty("by").GetString());
    }

    [Fact]
    public async Task TwoTapsAtOnce_AfterTheAmendment_RecordOneApprovalOfTheNewStep()
    {
        var proposal = await AmendedAfterZhangsanApprovedAsync();
        var inbox = _server.Service<IApprovalInbox>();

        var results = await Task.WhenAll(
            Task.Run(() => inbox.DecideAsync(new ApprovalCommand(Ns, proposal, "zhangsan", ApprovalChannel.DingTalk, true, AwaitOutcome: false), default)),
            Task.Run(() => inbox.DecideAsync(new ApprovalCommand(Ns, proposal, "zhangsan", ApprovalChannel.DingTalkChat, true, AwaitOutcome: false), default)));

        Assert.Equal([ApprovalResultKind.Accepted, ApprovalResultKind.Duplicate], results.Select(r => r.Kind).Order());
        var stored = await StoredAsync(proposal, approvals: 2);
        Assert.Equal(["zhangsan", "zhangsan"], stored.Status.Approvals.Select(a => a.User));
        Assert.Equal(1, stored.Status.Approvals.Count(a => _server.Service<ApprovalSigner>().Check(stored, a) == ApprovalSealFinding.ThisAsk));
        Assert.Equal(ProposalPhase.Pending, stored.Status.Phase); // lisi's approval is still needed
    }

    /// <summary>The loop proposes 4 → 10, zhangsan approves it over the API, then the traffic rises and it asks 4 → 14.</summary>
    private async Task<string> AmendedAfterZhangsanApprovedAsync()
    {
        _server.Metrics.Set(TestPolicies.Query(Workload), 1000);
        _server.Time.Advance(TimeSpan.FromSeconds(30));
        await _server.Service<Reconciler>().TickAsync(default);
        var proposal = Assert.Single(await Proposals.ListAsync(Ns, default), p => p.Status.Phase == ProposalPhase.Pending).Metadata.Name;
        using var first = await _server.ClientWith(ZhangsanToken).PostAsync($"/api/v1/proposals/{Ns}/{proposal}/approve", null);
        Assert.Equal(HttpStatusCode.OK, first.StatusCode);

        // The loop's amendment, called directly as ApprovalForgeryTests does (the sandbox API server dates the proposal by the wall clock).
        _server.Time.Advance(ProposalRules.AmendInterval);
        var pending = (await Proposals.GetAsync(Ns, proposal, default))!;
        var rose = new Decision
        {
            CurrentReplicas = 4, DesiredReplicas = 14, Direction = ScaleDirection.Up, Outcome = DecisionOutcome.Propose, RequiresTwoPersons = true,
            Reason = "qps 1.4k; 100/pod -> 14", Evidence = pending.Spec.Evidence!,
        };
        Assert.NotNull(await _server.Service<ProposalService>().AmendAsync(pending, rose, default));
        await SeenAsync(proposal, p => p.Status.Amendments.Count == 1);
        return proposal;
    }

    private IProposalStore Proposals => _server.Service<IProposalStore>();

    /// <summary>The proposal once the cache holds <paramref name="approvals"/> approvals (the stored count is asserted by the caller).</summary>
    private async Task<ScaleProposal> StoredAsync(string name, int approvals)
    {
        await SeenAsync(name, p => p.Status.Approvals.Count >= approvals);
        return (await Proposals.GetAsync(Ns, name, default))!;
    }

    private async Task<List<JsonElement>> RowsAsync(string kind)
    {
        using var viewer = _server.ClientWith(ViewerToken);
        var rows = await (await viewer.GetAsync($"/api/v1/history?namespace={Ns}")).ReadJson();
        return [.. rows.EnumerateArray().Where(r => r.GetProperty("kind").GetString() == kind)];
    }

    /// <summary>Waits until the product's watch cache holds the proposal so.</summary>
    private async Task SeenAsync(string name, Func<ScaleProposal, bool> seen) =>
        Assert.True(await Patience.UntilAsync(() => Proposals.GetAsync(Ns, name, default).GetAwaiter().GetResult() is { } p && seen(p), 10), $"{name} not seen");

    private int Replicas() => _world.Sandbox.Control.Get("apps/v1", "Deployment", Ns, Workload)!["spec"]!["replicas"]!.GetValue<int>();
}
