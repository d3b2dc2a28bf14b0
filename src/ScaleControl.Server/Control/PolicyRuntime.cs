using System.Collections.Concurrent;
using Microsoft.Extensions.Options;
using ScaleControl.Core.Decisions;
using ScaleControl.Core.Signals;
using ScaleControl.Server.Hosting;

namespace ScaleControl.Server.Control;

/// <summary>One metric as seen by one evaluation.</summary>
public sealed record MetricSnapshot(string Name, double? Value, double? Predicted, MetricStatus Status, string? Problem);

/// <summary>One evaluation as remembered for the dashboard series and <c>/status</c>.</summary>
public sealed record EvaluationRecord(
    DateTimeOffset Time,
    IReadOnlyList<MetricSnapshot> Metrics,
    int CurrentReplicas,
    int ReadyReplicas,
    int DesiredReplicas,
    DecisionOutcome Outcome,
    string Reason);

/// <summary>
/// What the control loop remembers about one policy between ticks: the engine's <see cref="PolicyHistory"/>, when it
/// is next due, and a bounded ring of recent evaluations. Guarded by <see cref="Gate"/>: the loop and the dry-run
/// endpoint may touch it at the same time.
/// </summary>
public sealed class PolicyRuntime(int ringCapacity)
{
    private readonly Queue<EvaluationRecord> _ring = new();

    public object Gate { get; } = new();

    public PolicyHistory History { get; } = new();

    public DateTimeOffset NextDue { get; set; } = DateTimeOffset.MinValue;

    public EvaluationRecord? Last { get; private set; }

    public void Remember(EvaluationRecord record)
    {
        lock (Gate)
        {
            _ring.Enqueue(record);
            while (_ring.Count > ringCapacity)
            {
                _ring.Dequeue();
            }

            Last = record;
        }
    }

    public IReadOnlyList<EvaluationRecord> Since(DateTimeOffset from)
    {
        lock (Gate)
        {
            return [.. _ring.Where(r => r.Time >= from)];
        }
    }
}

/// <summary>All policies' runtimes by <c>namespace/name</c>.</summary>
public sealed class PolicyRuntimes(IOptions<ControlLoopOptions> options)
{
    private readonly ConcurrentDictionary<string, PolicyRuntime> _byKey = new(StringComparer.Ordinal);

    public PolicyRuntime For(string key) => _byKey.GetOrAdd(key, _ => new PolicyRuntime(options.Value.EvaluationRingSize));

    public PolicyRuntime? Find(string key) => _byKey.GetValueOrDefault(key);

    /// <summary>Forgets policies that no longer exist.</summary>
    public void Retain(IReadOnlySet<string> keys)
    {
        foreach (var key in _byKey.Keys.Where(k => !keys.Contains(k)))
        {
            _byKey.TryRemove(key, out _);
        }
    }
}
