using System.Collections.Concurrent;
using Microsoft.Extensions.Options;
using ScaleControl.Core.Decisions;
using ScaleControl.Core.Policies;
using ScaleControl.Core.Ports;
using ScaleControl.Core.Proposals;
using ScaleControl.Core.Signals;
using ScaleControl.Server.Hosting;
using ScaleControl.Server.Telemetry;

namespace ScaleControl.Server.Control.Loop;

/// <summary>One metric as seen by one evaluation (a value: every evaluation keeps one per metric).</summary>
public readonly record struct MetricSnapshot(string Name, double? Value, double? Predicted, MetricStatus Status, string? Problem);

/// <summary>
/// One evaluation as <c>/status</c> and a follower read it: a copy of the policy's last evaluation, made when someone
/// asks (<see cref="PolicyRuntime.Last"/>). The decision is kept as the engine made it: its reason line is formatted
/// when <c>/status</c> shows it, not on every evaluation.
/// </summary>
public sealed record EvaluationRecord(
    DateTimeOffset Time,
    IReadOnlyList<MetricSnapshot> Metrics,
    int ReadyReplicas,
    Decision Decision,
    string? Said = null)
{
    public int CurrentReplicas => Decision.CurrentReplicas;

    public int DesiredReplicas => Decision.DesiredReplicas;

    public DecisionOutcome Outcome => Decision.Outcome;

    /// <summary>The decision's reason, and when the loop did not act on it, why not (<see cref="Said"/>), as the policy's status says.</summary>
    public string Reason => Said is null ? Decision.Reason : $"{Decision.Reason}; {Said}";
}

/// <summary>
/// One evaluation as the dashboard charts it (first metric's value and prediction, replicas). Kept small, 32 bytes,
/// because every policy holds a full ring of them: 1,000 policies × 360 samples is 11.5 MB. Or a sample of the past the
/// loop did not watch, filled in after a restart, a leader change or for a new policy (<see cref="Past"/>).
/// </summary>
/// <remarks>Takes the first metric's value and prediction, not its snapshot: a snapshot passed by value is copied for the call on every evaluation.</remarks>
public readonly struct EvaluationSample
{
    private const int Unknown = -1;

    private readonly long _utcTicks;
    private readonly float _value;
    private readonly float _predicted;
    private readonly int _desired;
    private readonly int _ready;
    private readonly int _current;

    public EvaluationSample(DateTimeOffset time, double? value, double? predicted, int desired, int ready, int current)
        : this(time, value, predicted, desired, ready, current, backfilled: false)
    {
    }

    private EvaluationSample(DateTimeOffset time, double? value, double? predicted, int desired, int ready, int current, bool backfilled)
    {
        _utcTicks = time.UtcTicks;
        _value = (float)(value ?? double.NaN);
        _predicted = (float)(predicted ?? double.NaN);
        _desired = desired;
        _ready = ready;
        _current = current;
        Backfilled = backfilled; // in the struct's padding: still 32 bytes
    }

    /// <summary>
    /// A moment the loop did not evaluate (<see cref="ChartBackfill"/>): the metric's value as Prometheus recorded it and the
    /// replicas the applied changes left (null: none known). Nothing is made up: no prediction, desired or ready count.
    /// </summary>
    public static EvaluationSample Past(DateTimeOffset time, double value, int? replicas) =>
        new(time, value, predicted: null, Unknown, Unknown, replicas ?? Unknown, backfilled: true);

    public DateTimeOffset Time => new(_utcTicks, TimeSpan.Zero);

    public double? Value => float.IsNaN(_value) ? null : _value;

    public double? Predicted => float.IsNaN(_predicted) ? null : _predicted;

    public int? Desired => Known(_desired);

    public int? Ready => Known(_ready);

    public int? Current => Known(_current);

    /// <summary>Filled in from Prometheus and the applied changes, not evaluated (<see cref="Past"/>): the dashboard draws it as such.</summary>
    public bool Backfilled { get; }

    private static int? Known(int replicas) => replicas == Unknown ? null : replicas;
}

/// <summary>
/// What the control loop remembers about one policy between ticks: the engine's <see cref="PolicyHistory"/>, when it
/// is next due, the last evaluation in full (overwritten in place, so remembering allocates nothing) and a fixed ring of recent <see cref="EvaluationSample"/>s. Guarded by
/// <see cref="Gate"/>: the loop and the dry-run endpoint may touch it at the same time.
/// </summary>
public sealed class PolicyRuntime(int ringCapacity)
{
    private readonly EvaluationSample[] _ring = new EvaluationSample[ringCapacity];
    private int _next;
    private int _count;

    public object Gate { get; } = new();

    public PolicyHistory History { get; } = new();

    public DateTimeOffset NextDue { get; set; } = DateTimeOffset.MinValue;

    /// <summary>The evaluation interval <see cref="NextDue"/> was computed with; a spec with another one is due at once.</summary>
    public int ScheduledIntervalSeconds { get; set; }

    /// <summary>Why the last evaluation failed (null after one that did not): the loop logs a failure when it changes, not every tick.</summary>
    public string? LastFailure { get; set; }

    private MetricSnapshot[] _lastMetrics = [];
    private readonly DecisionSlot _lastDecision = new();
    private DateTimeOffset? _lastTime;
    private int _lastReady;
    private string? _said;

    /// <summary>A copy of the last evaluation, made on each read (<c>/status</c>, a follower's leader); null before the first.</summary>
    public EvaluationRecord? Last
    {
        get
        {
            lock (Gate)
            {
                return _lastTime is { } time ? new EvaluationRecord(time, [.. _lastMetrics], _lastReady, _lastDecision.Value, _said) : null;
            }
        }
    }

    /// <summary>When the loop last evaluated the policy (null before the first): how <see cref="HistoryBackfill"/> tells it was not watching.</summary>
    public DateTimeOffset? LastEvaluated
    {
        get
        {
            lock (Gate)
            {
                return _lastTime;
            }
        }
    }

    /// <summary>When <see cref="HistoryBackfill"/> last filled the history in: once per gap in the loop's watching.</summary>
    public DateTimeOffset? BackfilledAt { get; set; }

    /// <summary>What the last evaluation asked for (a follower's leader), without copying it.</summary>
    public int? LastDesired
    {
        get
        {
            lock (Gate)
            {
                return _lastTime is null ? null : _lastDecision.Value.DesiredReplicas;
            }
        }
    }

    /// <summary>
    /// During a hot event: since when the demand has fit the pre-event replicas (<see cref="ReturnToNormalRules.QuietSince"/>).
    /// In memory only: after a restart or a leader change the quiet period starts again (later, never sooner).
    /// </summary>
    public DateTimeOffset? QuietSince { get; set; }

    /// <summary>
    /// Since when the decisions have said "no change" (<see cref="ProposalRules.NoChangeSince"/>), for withdrawing a
    /// pending proposal they no longer support. In memory only, like <see cref="QuietSince"/>: later, never sooner.
    /// </summary>
    public DateTimeOffset? NoChangeSince { get; set; }

    /// <summary>
    /// What the leading signal learned that the policy's status does not hold yet: its write failed or met a conflict.
    /// The loop evaluates and writes with it (<see cref="LeadingSignalLearning.WithUnwritten"/>) until a write keeps it.
    /// In memory only: a new leader has neither this nor the event's floors to judge it again.
    /// </summary>
    public LeadingSignalStatus? UnwrittenLearning { get; set; }

    /// <summary>
    /// In mode Observe: what it would have run next to what ran (<see cref="ObservationTally"/>), taken up from the
    /// policy's status by a new leader and written with it; null in the other modes (a switch back to Observe starts anew).
    /// </summary>
    public ObservationStatus? Observation { get; set; }

    /// <summary>The policy's <c>/metrics</c> series, looked up once instead of by label values on every evaluation.</summary>
    public PolicySeries? Series { get; set; }

    private WorkloadRef? _target;

    /// <summary>The policy's target, made when it changes instead of on every evaluation.</summary>
    public WorkloadRef TargetOf(ScalePolicy policy)
    {
        var target = policy.Spec.Target;
        if (_target is { } known && known.Name == target.Name && known.Kind == target.Kind && known.Namespace == policy.Metadata.Namespace)
        {
            return known;
        }

        return _target = ProposalFactory.TargetOf(policy);
    }

    /// <summary>Keeps an evaluation someone already holds as a record (the loop itself uses the overload below).</summary>
    public void Remember(EvaluationRecord record)
    {
        Remember(record.Time, [.. record.Metrics], record.ReadyReplicas, record.Decision);
        Say(record.Said);
    }

    /// <summary>
    /// Why the loop did not act on the last decision (a refusal hold, a pin the workload does not run, the way back
    /// waiting): <c>/status</c>, the dashboard and chat say it live, as the policy's status does.
    /// </summary>
    public void Say(string? said)
    {
        lock (Gate)
        {
            _said = said;
        }
    }

    /// <summary>
    /// Keeps an evaluation as the last one and as a dashboard sample. Called for every policy every tick, so the last
    /// evaluation is overwritten in place: the metrics' array is reused while the policy has as many metrics, and the
    /// decision is copied once, into the slot returned (the loop's <see cref="Evaluation"/> reads it there).
    /// </summary>
    public DecisionSlot Remember(DateTimeOffset time, ReadOnlySpan<MetricSnapshot> metrics, int ready, in Decision decision)
    {
        lock (Gate)
        {
            Append(metrics.IsEmpty
                ? new EvaluationSample(time, null, null, decision.DesiredReplicas, ready, decision.CurrentReplicas)
                : new EvaluationSample(time, metrics[0].Value, metrics[0].Predicted, decision.DesiredReplicas, ready, decision.CurrentReplicas));
            if (_lastMetrics.Length != metrics.Length)
            {
                _lastMetrics = new MetricSnapshot[metrics.Length];
            }

            metrics.CopyTo(_lastMetrics);
            _lastDecision.Value = decision;
            _lastDecision.Version++;
            _lastReady = ready;
            _lastTime = time;
            _said = null;
            return _lastDecision;
        }
    }

    /// <summary>
    /// Puts the past the loop did not watch into the ring (<see cref="ChartBackfill"/>), oldest first: only samples after
    /// the newest it holds, so a gap is filled and nothing evaluated is written over. Returns how many it took.
    /// </summary>
    public int Backfill(IEnumerable<EvaluationSample> past)
    {
        lock (Gate)
        {
            var newest = NewestSampleLocked;
            var taken = 0;
            foreach (var sample in past)
            {
                if (newest is null || sample.Time > newest)
                {
                    Append(sample);
                    newest = sample.Time;
                    taken++;
                }
            }

            return taken;
        }
    }

    /// <summary>When the ring's newest sample was taken (null: it is empty): the past before it is charted already.</summary>
    public DateTimeOffset? NewestSample
    {
        get
        {
            lock (Gate)
            {
                return NewestSampleLocked;
            }
        }
    }

    private DateTimeOffset? NewestSampleLocked => _count == 0 ? null : _ring[_next == 0 ? _ring.Length - 1 : _next - 1].Time;

    private void Append(in EvaluationSample sample)
    {
        _ring[_next] = sample;
        _next = _next + 1 == _ring.Length ? 0 : _next + 1; // not %: a division per evaluation
        _count = Math.Min(_count + 1, _ring.Length);
    }

    /// <summary>The remembered samples from <paramref name="from"/> on, oldest first.</summary>
    public IReadOnlyList<EvaluationSample> Since(DateTimeOffset from)
    {
        lock (Gate)
        {
            var samples = new List<EvaluationSample>(_count);
            for (var i = _count; i > 0; i--)
            {
                var sample = _ring[(_next - i + _ring.Length) % _ring.Length];
                if (sample.Time >= from)
                {
                    samples.Add(sample);
                }
            }

            return samples;
        }
    }
}

/// <summary>
/// All policies' runtimes, by namespace and name: the loop finds a policy's on every tick without building a
/// <c>namespace/name</c> key. The key is a value with its own equality, so one lookup hashes both names with direct
/// calls (a string-keyed dictionary calls its comparer through an interface per hash and per match, which the JIT
/// does not devirtualize without tiered PGO; two such lookups cost ≈ 3 % of an evaluation).
/// </summary>
public sealed class PolicyRuntimes(IOptions<ControlLoopOptions> options, ScaleControlMetrics telemetry)
{
    private readonly ConcurrentDictionary<PolicyKey, PolicyRuntime> _runtimes = new();

    public PolicyRuntime For(string @namespace, string name) =>
        _runtimes.TryGetValue(new PolicyKey(@namespace, name), out var found)
            ? found
            : _runtimes.GetOrAdd(new PolicyKey(@namespace, name), static (_, ringSize) => new PolicyRuntime(ringSize), options.Value.EvaluationRingSize);

    /// <summary>
    /// Drops one policy's memory (its spec became invalid: what it remembered was decided under another spec), and its
    /// <c>/metrics</c> series with it: a policy the loop does not evaluate reports no figures.
    /// </summary>
    public void Forget(string @namespace, string name) => Drop(new PolicyKey(@namespace, name));

    public PolicyRuntime? Find(string @namespace, string name) => _runtimes.GetValueOrDefault(new PolicyKey(@namespace, name));

    /// <summary>Forgets policies that no longer exist; called every tick, so it builds no key string per runtime.</summary>
    public void Retain(IEnumerable<ScalePolicy> live)
    {
        var kept = live.Select(p => new PolicyKey(p.Metadata.Namespace, p.Metadata.Name)).ToHashSet();
        foreach (var (key, _) in _runtimes)
        {
            if (!kept.Contains(key))
            {
                Drop(key);
            }
        }
    }

    private void Drop(PolicyKey key)
    {
        _runtimes.TryRemove(key, out _);
        telemetry.Forget(key.Namespace, key.Name);
    }

    /// <summary>A policy's namespace and name, compared ordinally (string equality).</summary>
    private readonly record struct PolicyKey(string Namespace, string Name);
}
