using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using ScaleControl.Core.Decisions;
using ScaleControl.Core.Policies;

namespace ScaleControl.Server.Telemetry;

/// <summary>
/// The product's metrics as <see cref="System.Diagnostics.Metrics"/> instruments on a meter from the host's
/// <see cref="IMeterFactory"/>: injected where they are recorded, so a test reads its own host's numbers (a
/// <see cref="MeterListener"/> on <see cref="Meter"/>) instead of process-wide statics. <see cref="PrometheusMeterExport"/>
/// serves them at <c>/metrics</c> under these names, which follow Prometheus conventions (<c>scalecontrol_</c>
/// prefix, base units, <c>_total</c> for counters) and which the chart, the docs and the alerts use.
/// The per-policy figures the loop produces on every evaluation are observable instruments over
/// <see cref="PolicySeries"/>: the loop writes plain fields, <c>/metrics</c> reads them when scraped.
/// </summary>
public sealed class ScaleControlMetrics
{
    public const string MeterName = "ScaleControl";

    private readonly Dictionary<Instrument, string[]> _labels = [];
    private readonly ConcurrentDictionary<(string Namespace, string Policy), PolicySeries> _series = new();
    private static readonly int s_outcomeCount = Enum.GetValues<DecisionOutcome>().Length;

    /// <summary>Decisions counted by mode and outcome: index <c>mode × outcomes + outcome</c> (<see cref="PolicySeries.Evaluated"/>).</summary>
    private readonly long[] _outcomes = new long[Enum.GetValues<ScaleMode>().Length * s_outcomeCount];

    public ScaleControlMetrics(IMeterFactory meters)
    {
        Meter = meters.Create(MeterName);
        Evaluations = Labelled(
            Meter.CreateObservableCounter("scalecontrol_evaluations_total", () => Each(s => s.Evaluations()), unit: null, description: "Policy evaluations by the control loop."),
            ["namespace", "policy"]);
        Decisions = Labelled(
            Meter.CreateObservableCounter("scalecontrol_decisions_total", DecisionCounts, unit: null, description: "Decisions by outcome (None, ApplyNow, Propose, Hold) and the policy's mode (Auto, Approval, Hybrid, Observe: ApplyNow there was not applied)."),
            ["outcome", "mode"]);
        ProposalTransitions = NewCounter("scalecontrol_proposals_total", "Proposals entering a phase (Pending, Approved, Applied, Rejected, Expired, Superseded, Failed).", "phase");
        ProposalsPruned = NewCounter("scalecontrol_proposals_pruned_total", "Finished proposals deleted by retention, by rule (max_age, max_per_policy).", "reason");
        OpenProposals = NewGauge("scalecontrol_open_proposals", "Proposals waiting for a decision (Pending or Approved).");
        UnseenProposals = NewGauge("scalecontrol_unseen_proposals", "Proposals waiting for approval whose card did not reach the group or whose escalation failed (scalectl status lists them).");
        ApprovalWait = NewHistogram("scalecontrol_approval_wait_seconds", "From proposal creation to the last needed approval.", Exponential(1, 2, 12));
        DecisionToApplied = NewHistogram("scalecontrol_decision_to_applied_seconds", "From the decision to the acknowledged scale write.", Exponential(0.005, 2, 18), "channel");
        ScaleActions = NewCounter("scalecontrol_scale_actions_total", "Scale writes by direction and result.", "direction", "result");
        KubernetesCalls = NewCounter("scalecontrol_kubernetes_calls_total", "Workload reads and scale writes against the Kubernetes API by operation and result.", "operation", "result");
        DingTalkCalls = NewCounter("scalecontrol_dingtalk_calls_total", "DingTalk calls (cards, escalations, notices) by operation and result.", "operation", "result");
        MetricValue = NewObservableGauge("scalecontrol_policy_metric_value", "Last value of each policy metric.", () => Each(s => s.MetricValues()), "namespace", "policy", "metric");
        DesiredReplicas = NewObservableGauge("scalecontrol_policy_desired_replicas", "Replicas the last decision asked for.", () => Each(s => s.Desired()), "namespace", "policy");
        CurrentReplicas = NewObservableGauge("scalecontrol_policy_current_replicas", "Replicas the workload runs (spec).", () => Each(s => s.Current()), "namespace", "policy");
        LastTick = NewGauge("scalecontrol_last_tick_timestamp_seconds", "Unix time of the last completed control-loop tick (leader only).");
        IsLeader = NewGauge("scalecontrol_leader", "1 while this replica is the leader.");
    }

    public Meter Meter { get; }

    public ObservableCounter<long> Evaluations { get; }
    public ObservableCounter<long> Decisions { get; }
    public Counter<long> ProposalTransitions { get; }
    public Counter<long> ProposalsPruned { get; }
    public Gauge<double> OpenProposals { get; }
    public Gauge<double> UnseenProposals { get; }
    public Histogram<double> ApprovalWait { get; }
    public Histogram<double> DecisionToApplied { get; }
    public Counter<long> ScaleActions { get; }
    public Counter<long> KubernetesCalls { get; }
    public Counter<long> DingTalkCalls { get; }
    public ObservableGauge<double> MetricValue { get; }
    public ObservableGauge<double> DesiredReplicas { get; }
    public ObservableGauge<double> CurrentReplicas { get; }
    public Gauge<double> LastTick { get; }
    public Gauge<double> IsLeader { get; }

    /// <summary>The label names an instrument's measurements carry, in exposition order (tags are matched by name).</summary>
    public IReadOnlyList<string> LabelsOf(Instrument instrument) => _labels.GetValueOrDefault(instrument) ?? [];

    /// <summary>One policy's series, created on first use; the loop keeps it with the policy's runtime.</summary>
    public PolicySeries SeriesFor(string @namespace, string policy) =>
        _series.GetOrAdd((@namespace, policy), static (key, outcomes) => new PolicySeries(key.Namespace, key.Policy, outcomes), _outcomes);

    /// <summary>
    /// Drops one policy's series with its runtime (the policy was deleted, left the watched namespaces or is held): its
    /// gauges would otherwise be exported with their last values for the life of the host, read as live by alerts, and
    /// every policy name ever used would stay a series. <c>/metrics</c> leaves them out from its next scrape; a policy
    /// evaluated again later starts a fresh series (its evaluations counter from zero, which Prometheus reads as a reset).
    /// </summary>
    public void Forget(string @namespace, string policy) => _series.TryRemove((@namespace, policy), out _);

    public void ProposalEntered(string phase) => ProposalTransitions.Add(1, new KeyValuePair<string, object?>("phase", phase));

    public void ProposalPruned(string reason) => ProposalsPruned.Add(1, new KeyValuePair<string, object?>("reason", reason));

    public void ScaleAction(string direction, string result) => ScaleActions.Add(1, new("direction", direction), new("result", result));

    public void KubernetesCall(string operation, string result) => KubernetesCalls.Add(1, new("operation", operation), new("result", result));

    public void DingTalkCall(string operation, string result) => DingTalkCalls.Add(1, new("operation", operation), new("result", result));

    public void AppliedAfter(string channel, double seconds) => DecisionToApplied.Record(seconds, new KeyValuePair<string, object?>("channel", channel));

    private Counter<long> NewCounter(string name, string help, params string[] labels) =>
        Labelled(Meter.CreateCounter<long>(name, unit: null, description: help), labels);

    private IEnumerable<Measurement<T>> Each<T>(Func<PolicySeries, IEnumerable<Measurement<T>>> measure)
        where T : struct
    {
        foreach (var series in _series.Values)
        {
            foreach (var measurement in measure(series))
            {
                yield return measurement;
            }
        }
    }

    /// <summary>Only outcomes that happened, as a counter first recorded on its first increment.</summary>
    private IEnumerable<Measurement<long>> DecisionCounts()
    {
        for (var i = 0; i < _outcomes.Length; i++)
        {
            if (Interlocked.Read(ref _outcomes[i]) is var count and > 0)
            {
                yield return new Measurement<long>(count,
                    new KeyValuePair<string, object?>("outcome", ((DecisionOutcome)(i % s_outcomeCount)).ToString()),
                    new KeyValuePair<string, object?>("mode", ((ScaleMode)(i / s_outcomeCount)).ToString()));
            }
        }
    }

    private ObservableGauge<double> NewObservableGauge(string name, string help, Func<IEnumerable<Measurement<double>>> observe, params string[] labels) =>
        Labelled(Meter.CreateObservableGauge(name, observe, unit: null, description: help), labels);

    private Gauge<double> NewGauge(string name, string help, params string[] labels) =>
        Labelled(Meter.CreateGauge<double>(name, unit: null, description: help), labels);

    private Histogram<double> NewHistogram(string name, string help, double[] buckets, params string[] labels) =>
        Labelled(Meter.CreateHistogram(name, unit: null, description: help, tags: null, new InstrumentAdvice<double> { HistogramBucketBoundaries = buckets }), labels);

    private T Labelled<T>(T instrument, string[] labels)
        where T : Instrument
    {
        _labels[instrument] = labels;
        return instrument;
    }

    /// <summary><paramref name="count"/> bucket bounds from <paramref name="start"/>, each <paramref name="factor"/> times the last.</summary>
    private static double[] Exponential(double start, double factor, int count)
    {
        var buckets = new double[count];
        for (var i = 0; i < count; i++)
        {
            buckets[i] = start * Math.Pow(factor, i);
        }

        return buckets;
    }
}
