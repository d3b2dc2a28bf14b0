using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using ScaleControl.Core.Decisions;
using ScaleControl.Core.Ports;
using ScaleControl.Core.Proposals;
using ScaleControl.Server.Hosting;
using ScaleControl.Server.Tests.Infrastructure;
using ScaleControl.Testing.Stores;
using ScaleControl.Server.Control.Loop;

namespace ScaleControl.Server.Tests.Control;

/// <summary>Retention of finished proposals on a fake clock against the in-memory store (defaults: 7 days, 20 per policy).</summary>
public sealed class ProposalRetentionTests : IDisposable
{
    private readonly TestMetrics _metrics = new();
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 25, 10, 0, 0, TimeSpan.Zero));
    private readonly InMemoryProposalStore _inner;
    private readonly InterceptingStore _store;
    private readonly SwitchableLeadership _leadership = new();
    private readonly RecordingLogger<ProposalRetention> _logger = new();
    private readonly ProposalRetention _retention;

    public ProposalRetentionTests()
    {
        _inner = new InMemoryProposalStore(_time);
        _store = new InterceptingStore(_inner);
        _retention = new ProposalRetention(_store, _leadership, Options.Create(new HistoryOptions()), _time, _metrics.Metrics, _logger);
    }

    public void Dispose() => _metrics.Dispose();

    [Fact]
    public async Task Prune_FinishedMoreThanMaxAgeAgo_DeletedYoungerKept()
    {
        var old = await Finished("video", "transcoder", Ago(days: 8));
        var young = await Finished("video", "transcoder", Ago(days: 6));

        await _retention.PruneIfDueAsync(default);

        Assert.Equal([young.Metadata.Name], await Names("video"));
        Assert.Null(await _inner.GetAsync("video", old.Metadata.Name, default));
    }

    [Fact]
    public async Task Prune_AgeCountsFromWhenTheProposalFinished()
    {
        // Created 8 days ago, but its outcome is 2 days old: it is still recent history.
        var lateOutcome = await Finished("video", "transcoder", created: Ago(days: 8), finished: Ago(days: 2));

        await _retention.PruneIfDueAsync(default);

        Assert.Equal([lateOutcome.Metadata.Name], await Names("video"));
    }

    [Fact]
    public async Task Prune_MoreThanMaxPerPolicy_KeepsTheNewest20()
    {
        var records = new List<ScaleProposal>();
        for (var i = 25; i >= 1; i--)
        {
            records.Add(await Finished("video", "transcoder", Ago(minutes: i)));
        }

        await _retention.PruneIfDueAsync(default);

        Assert.Equal(records.Skip(5).Select(p => p.Metadata.Name).Order(StringComparer.Ordinal), await Names("video"));
    }

    [Fact]
    public async Task Prune_OpenProposals_NeverDeletedNorCountedAgainstTheCap()
    {
        var pendingForAges = await Open("shop", "checkout", Ago(days: 30));
        for (var i = 20; i >= 1; i--)
        {
            await Finished("shop", "checkout", Ago(minutes: i));
        }

        await _retention.PruneIfDueAsync(default);

        var left = await _inner.ListAsync("shop", default);
        Assert.Equal(21, left.Count);
        Assert.Contains(left, p => p.Metadata.Name == pendingForAges.Metadata.Name && p.Status.Phase == ProposalPhase.Pending);
    }

    [Fact]
    public async Task Prune_OnePolicyOverTheCap_OtherPoliciesUntouched()
    {
        for (var i = 22; i >= 1; i--)
        {
            await Finished("video", "transcoder", Ago(minutes: i));
            await Finished("video-eu", "transcoder", Ago(minutes: i, seconds: 30)); // same policy name, other namespace
        }

        var neighbour = await Finished("video", "thumbnailer", Ago(days: 6));

        await _retention.PruneIfDueAsync(default);

        Assert.Equal(20, (await _inner.ListAsync("video", default)).Count(p => p.Spec.PolicyName == "transcoder"));
        Assert.Equal(20, (await _inner.ListAsync("video-eu", default)).Count);
        Assert.Contains(neighbour.Metadata.Name, await Names("video"));
    }

    [Fact]
    public async Task Prune_ProposalChangedSinceRead_SkippedSilentlyAndJudgedAgainNextPass()
    {
        var stale = await Finished("video", "transcoder", Ago(days: 9));
        await Finished("video", "transcoder", Ago(days: 8));
        _store.BeforeDelete = async p =>
        {
            if (p.Metadata.Name == stale.Metadata.Name && p.Metadata.ResourceVersion == stale.Metadata.ResourceVersion)
            {
                // A late card update lands between the pass's read and its delete.
                await _inner.UpdateAsync(p with { Status = p.Status with { Message = "card updated" } }, default);
            }
        };

        await _retention.PruneIfDueAsync(default);

        Assert.Equal([stale.Metadata.Name], await Names("video"));
        Assert.DoesNotContain(_logger.Lines, l => l.Level >= LogLevel.Warning);

        _time.Advance(TimeSpan.FromMinutes(1));
        await _retention.PruneIfDueAsync(default);

        Assert.Empty(await Names("video"));
    }

    [Fact]
    public async Task Prune_OneDeleteFails_OthersStillDeletedAndOneWarningLogged()
    {
        var broken = await Finished("video", "transcoder", Ago(days: 10));
        await Finished("video", "transcoder", Ago(days: 9));
        await Finished("video", "transcoder", Ago(days: 8));
        _store.BeforeDelete = p => p.Metadata.Name == broken.Metadata.Name
            ? Task.FromException(new HttpRequestException("connection refused"))
            : Task.CompletedTask;

        var pass = _retention.PruneIfDueAsync(default);
        await pass;

        Assert.True(pass.IsCompletedSuccessfully);
        Assert.Equal([broken.Metadata.Name], await Names("video"));
        var warning = Assert.Single(_logger.Lines, l => l.Level == LogLevel.Warning);
        Assert.Contains($"1 delete(s) failed, first video/{broken.Metadata.Name}", warning.Message, StringComparison.Ordinal);
        Assert.IsType<HttpRequestException>(warning.Exception);
    }

    [Fact]
    public async Task Prune_ListFails_LoggedAndTheLoopIsNotDisturbed()
    {
        _store.FailList = true;

        var pass = _retention.PruneIfDueAsync(default);
        await pass;

        Assert.True(pass.IsCompletedSuccessfully);
        Assert.Single(_logger.Lines, l => l.Level == LogLevel.Warning && l.Exception is InvalidOperationException);
    }

    [Fact]
    public async Task Prune_CalledEveryTick_RunsAtMostOnceAMinute()
    {
        await Finished("video", "transcoder", Ago(days: 8));
        await _retention.PruneIfDueAsync(default);
        Assert.Empty(await Names("video"));

        var laterOld = await Finished("video", "transcoder", Ago(days: 9));
        _time.Advance(TimeSpan.FromSeconds(59));
        await _retention.PruneIfDueAsync(default);
        Assert.Equal([laterOld.Metadata.Name], await Names("video"));

        _time.Advance(TimeSpan.FromSeconds(1));
        await _retention.PruneIfDueAsync(default);
        Assert.Empty(await Names("video"));
    }

    [Fact]
    public async Task Prune_OnAFollower_DeletesNothingUntilItLeads()
    {
        await Finished("video", "transcoder", Ago(days: 8));
        _leadership.IsLeader = false;

        await _retention.PruneIfDueAsync(default);
        Assert.Single(await Names("video"));

        _leadership.IsLeader = true;
        await _retention.PruneIfDueAsync(default);
        Assert.Empty(await Names("video"));
    }

    [Fact]
    public async Task Prune_LeadershipLostMidPass_StopsDeleting()
    {
        await Finished("video", "transcoder", Ago(days: 9));
        await Finished("video", "transcoder", Ago(days: 8));
        _store.AfterDelete = () => _leadership.IsLeader = false;

        await _retention.PruneIfDueAsync(default);

        Assert.Single(await Names("video"));
    }

    [Fact]
    public async Task Prune_DeletedSomething_OneInformationLineAndTheCounterPerRule()
    {
        for (var i = 21; i >= 1; i--)
        {
            await Finished("video", "transcoder", Ago(minutes: i));
        }

        await Finished("video", "transcoder", Ago(days: 8));
        await Finished("video", "transcoder", Ago(days: 9));

        await _retention.PruneIfDueAsync(default);

        var line = Assert.Single(_logger.Lines);
        Assert.Equal(LogLevel.Information, line.Level);
        Assert.Equal("Pruned 3 finished proposals: 2 finished more than 7 days ago, 1 beyond the newest 20 of their policy", line.Message);
        Assert.Equal(2, _metrics.Sum(_metrics.Metrics.ProposalsPruned, "max_age"));
        Assert.Equal(1, _metrics.Sum(_metrics.Metrics.ProposalsPruned, "max_per_policy"));

        _time.Advance(TimeSpan.FromMinutes(1));
        await _retention.PruneIfDueAsync(default);
        Assert.Single(_logger.Lines); // a pass that deletes nothing says nothing
    }

    [Fact]
    public async Task Tick_OnTheLeader_RunsRetentionWithTheConfiguredLimit()
    {
        using var server = new ServerFactory();
        using var configured = server.WithWebHostBuilder(b => b.UseSetting("ScaleControl:History:MaxPerPolicy", "2"));
        var store = server.Proposals;
        for (var i = 5; i >= 1; i--)
        {
            await store.CreateAsync(Applied(FromDecision("video", "transcoder", server.Time.GetUtcNow().AddMinutes(-i)), server.Time.GetUtcNow().AddMinutes(-i)), default);
        }

        await configured.Services.GetRequiredService<Reconciler>().TickAsync(default);

        Assert.Equal(2, (await store.ListAsync("video", default)).Count);
    }

    private DateTimeOffset Ago(int days = 0, int minutes = 0, int seconds = 0) =>
        _time.GetUtcNow() - new TimeSpan(days, 0, minutes, seconds);

    private async Task<IReadOnlyList<string>> Names(string ns) =>
        [.. (await _inner.ListAsync(ns, default)).Select(p => p.Metadata.Name).Order(StringComparer.Ordinal)];

    private Task<ScaleProposal> Finished(string ns, string policy, DateTimeOffset created, DateTimeOffset? finished = null) =>
        _inner.CreateAsync(Applied(FromDecision(ns, policy, created), finished ?? created), default);

    private Task<ScaleProposal> Open(string ns, string policy, DateTimeOffset created) =>
        _inner.CreateAsync(FromDecision(ns, policy, created, ProposalFactory.Action.Approval), default);

    /// <summary>An automatic scale record as the loop writes it (Approved by itself), created at <paramref name="at"/>.</summary>
    private static ScaleProposal FromDecision(string ns, string policy, DateTimeOffset at, ProposalFactory.Action action = ProposalFactory.Action.Auto)
    {
        var decision = new Decision
        {
            CurrentReplicas = 3,
            DesiredReplicas = 6,
            Direction = ScaleDirection.Up,
            Outcome = DecisionOutcome.ApplyNow,
            Reason = "qps rising",
            Evidence = new DecisionEvidence { CurrentReplicas = 3, ReadyReplicas = 3 },
        };
        var workload = new WorkloadState(new WorkloadRef(ns, "Deployment", policy), 3, 3, "1", null, null, null);
        return ProposalFactory.FromDecision(TestPolicies.Auto(ns, policy), decision, workload, at, action);
    }

    private static ScaleProposal Applied(ScaleProposal approved, DateTimeOffset at) =>
        ProposalLifecycle.MarkApplied(ProposalLifecycle.StartApplying(approved, at).Proposal, approved.Spec.ToReplicas, at).Proposal;

    /// <summary>The in-memory store with hooks around delete and a switch to make list fail.</summary>
    private sealed class InterceptingStore(IProposalStore inner) : IProposalStore
    {
        public Func<ScaleProposal, Task>? BeforeDelete { get; set; }
        public Action? AfterDelete { get; set; }
        public bool FailList { get; set; }

        public Task<IReadOnlyList<ScaleProposal>> ListAsync(string? @namespace, CancellationToken cancellationToken) =>
            FailList ? throw new InvalidOperationException("the cache is not synced") : inner.ListAsync(@namespace, cancellationToken);

        public Task<ScaleProposal?> GetAsync(string @namespace, string name, CancellationToken cancellationToken) => inner.GetAsync(@namespace, name, cancellationToken);

        public Task<ScaleProposal> CreateAsync(ScaleProposal proposal, CancellationToken cancellationToken) => inner.CreateAsync(proposal, cancellationToken);

        public Task<ScaleProposal> UpdateAsync(ScaleProposal proposal, CancellationToken cancellationToken) => inner.UpdateAsync(proposal, cancellationToken);

        public async Task DeleteAsync(ScaleProposal proposal, CancellationToken cancellationToken)
        {
            if (BeforeDelete is { } before)
            {
                await before(proposal);
            }

            await inner.DeleteAsync(proposal, cancellationToken);
            AfterDelete?.Invoke();
        }
    }
}
