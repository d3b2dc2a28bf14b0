using System.Collections.Concurrent;
using Microsoft.Extensions.Options;
using ScaleControl.Core.Faults;
using ScaleControl.Core.Ports;
using ScaleControl.Server.Hosting;

namespace ScaleControl.Server.Control;

/// <summary>
/// The fault loop that closes by itself: what the leader's loop and announcer see of their dependencies (Prometheus
/// answering, the Kubernetes API answering, DingTalk answering) goes into a <see cref="FaultLedger"/>, and what it
/// says to show — open (with a DING), update in place, resolved after how long — goes to the <see cref="IFaultNotifier"/>.
/// A notice that could not be shown is shown on the next observation, in the state of that moment; DingTalk's own
/// on the next observation of a DingTalk call that was answered.
/// The ledger is the leader's: it is kept in the <see cref="IFaultLedgerStore"/> whenever it changes, and a replica
/// that becomes leader (a new term) reads it back first, so an ongoing fault stays one notice across a leader change —
/// the same card updated and resolved with the whole duration, no second DING. A non-leader observes nothing.
/// </summary>
public sealed class FaultNotices(
    IFaultNotifier notifier, IFaultLedgerStore store, ILeadership leadership, IOptions<ControlLoopOptions> options, TimeProvider time)
{
    public const string Prometheus = "prometheus";
    public const string Kubernetes = "kubernetes";
    public const string DingTalk = "dingtalk";

    private readonly SemaphoreSlim _ledgerGate = new(1, 1);
    private readonly FaultLedger _ledger = new(new FaultNoticeTiming(
        TimeSpan.FromSeconds(options.Value.FaultOpenAfterSeconds),
        TimeSpan.FromSeconds(options.Value.FaultUpdateSeconds),
        TimeSpan.FromSeconds(options.Value.FaultResolveAfterSeconds)));

    private readonly Dictionary<string, (FaultNotice Notice, bool Ding)> _unshown = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, bool> _lastAnswered = new(StringComparer.Ordinal);
    private IReadOnlyList<FaultRecord> _kept = [];
    private long _term = long.MinValue;

    /// <summary>
    /// DingTalk is observed only when something is sent to it, and after an outage the cards may all be up to date:
    /// its notice then said "DingTalk failing · ongoing" long after DingTalk answered again (storm walkthrough, DingTalk
    /// degraded). Each tick the leader restates the last answer it had, when that was a success, so the notice resolves
    /// on time; a failure is never restated (DingTalk may be back: only a call can tell).
    /// </summary>
    public Task RestateAsync(string dependency, CancellationToken cancellationToken) =>
        _lastAnswered.TryGetValue(dependency, out var answered) && answered && leadership.Term == _term
            ? ObserveAsync(dependency, null, cancellationToken)
            : Task.CompletedTask;

    /// <param name="problem">What failed, or null when the dependency answered as it should.</param>
    public async Task ObserveAsync(string dependency, string? problem, CancellationToken cancellationToken)
    {
        if (!leadership.IsLeader)
        {
            return;
        }

        _lastAnswered[dependency] = problem is null;

        (FaultNotice Notice, bool Ding)? show;
        await _ledgerGate.WaitAsync(cancellationToken);
        try
        {
            await TakeOverAsync(cancellationToken);
            var (step, notice) = _ledger.Observe(dependency, problem, time.GetUtcNow());
            show = notice is not null
                ? (notice, step == FaultNoticeStep.Open || (_unshown.TryGetValue(dependency, out var missed) && missed.Ding))
                : _unshown.TryGetValue(dependency, out var pending) ? pending with { Notice = Refreshed(pending.Notice) } : null;
            _unshown.Remove(dependency);
            await KeepAsync(cancellationToken);
        }
        finally
        {
            _ledgerGate.Release();
        }

        // DingTalk's own notice goes through DingTalk: tried right after a DingTalk call failed, it fails too, after
        // its retries (storm walkthrough: each failed card call cost a second failing call, ~4 s, in the tick). It
        // waits for the next call DingTalk answers.
        var shown = show is not { } due
            || (!(dependency == DingTalk && problem is not null) && await notifier.ShowAsync(due.Notice, due.Ding, cancellationToken));
        await _ledgerGate.WaitAsync(cancellationToken);
        try
        {
            if (!shown)
            {
                _unshown.TryAdd(dependency, show!.Value);
            }
            else if (show is { Ding: true })
            {
                _ledger.MarkAnnounced(dependency);
                await KeepAsync(cancellationToken);
            }
        }
        finally
        {
            _ledgerGate.Release();
        }
    }

    /// <summary>In a new term, goes on from the ledger the previous leader kept (an opening it could not show is still owed).</summary>
    private async Task TakeOverAsync(CancellationToken cancellationToken)
    {
        if (leadership.Term == _term)
        {
            return;
        }

        _kept = await store.LoadAsync(cancellationToken);
        _ledger.Import(_kept);
        _unshown.Clear();
        foreach (var owed in _kept.Where(r => r is { Opened: true, Announced: false }))
        {
            _unshown[owed.Dependency] = (new FaultNotice(owed.Dependency, owed.Problem, owed.Since, time.GetUtcNow(), null), true);
        }

        _term = leadership.Term;
    }

    /// <summary>Writes the ledger to the store when it changed (not on every observation of an ongoing fault).</summary>
    private async Task KeepAsync(CancellationToken cancellationToken)
    {
        var now = _ledger.Export();
        if (!now.SequenceEqual(_kept, KeptRecordComparer.Instance))
        {
            await store.SaveAsync(now, cancellationToken);
            _kept = now;
        }
    }

    /// <summary>An ongoing fault shown late says how long it has lasted by now.</summary>
    private FaultNotice Refreshed(FaultNotice notice) => notice.Resolved ? notice : notice with { At = time.GetUtcNow() };

    /// <summary>What must survive a leader change; the latest problem text alone (which may change every tick) is not worth a write.</summary>
    private sealed class KeptRecordComparer : IEqualityComparer<FaultRecord>
    {
        public static KeptRecordComparer Instance { get; } = new();

        public bool Equals(FaultRecord? x, FaultRecord? y) => x is not null && y is not null && (x with { Problem = "" }) == (y with { Problem = "" });

        public int GetHashCode(FaultRecord obj) => (obj with { Problem = "" }).GetHashCode();
    }
}
