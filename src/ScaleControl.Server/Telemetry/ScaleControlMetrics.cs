using System.Diagnostics.Metrics;

namespace ScaleControl.Server.Telemetry;

/// <summary>
/// The product's metrics as <see cref="System.Diagnostics.Metrics"/> instruments on a meter from the host's
/// <see cref="IMeterFactory"/>: injected where they are recorded, so a test reads its own host's numbers (a
/// <see cref="MeterListener"/> on <see cref="Meter"/>) instead of process-wide statics. <see cref="PrometheusMeterExport"/>
/// serves them at <c>/metrics</c> under these names, which follow Prometheus conventions (<c>scalecontrol_</c>
/// prefix, base units, <c>_total</c> for counters) and which the chart, the docs and the alerts use.
/// </summary>
public sealed class ScaleControlMetrics
{
    public const string MeterName = "ScaleControl";

    private readonly Dictionary<Instrument, string[]> _labels = [];

    public ScaleControlMetrics(IMeterFactory meters)
    {
        Meter = meters.Create(MeterName);
        Evaluations = NewCounter("scalecontrol_evaluations_total", "Policy evaluations by the control loop.", "namespace", "policy");
        Decisions = NewCounter("scalecontrol_decisions_total", "Decisions by outcome (None, ApplyNow, Propose, Hold).", "outcome");
        ProposalTransitions = NewCounter("scalecontrol_proposals_total", "Proposals entering a phase (Pending, Approved, Applied, Rejected, Expired, Superseded, Failed).", "phase");
        ProposalsPruned = NewCounter("scalecontrol_proposals_pruned_total", "Finished proposals deleted by retention, by rule (max_age, max_per_policy).", "reason");
        OpenProposals = NewGauge("scalecontrol_open_proposals", "Proposals waiting for a decision (Pending or Approved).");
        ApprovalWait = NewHistogram("scalecontrol_approval_wait_seconds", "From proposal creation to the last needed approval.", Exponential(1, 2, 12));
        DecisionToApplied = NewHistogram("scalecontrol_decision_to_applied_seconds", "From the decision to the acknowledged scale write.", Exponential(0.005, 2, 18), "channel");
        ScaleActions = NewCounter("scalecontrol_scale_actions_total", "Scale writes by direction and result.", "direction", "result");
        KubernetesCalls = NewCounter("scalecontrol_kubernetes_calls_total", "Workload reads and scale writes against the Kubernetes API by operation and result.", "operation", "result");
        DingTalkCalls = NewCounter("scalecontrol_dingtalk_calls_total", "DingTalk calls (cards, escalations, notices) by operation and result.", "operation", "result");
        MetricValue = NewGauge("scalecontrol_policy_metric_value", "Last value of each policy metric.", "namespace", "policy", "metric");
        DesiredReplicas = NewGauge("scalecontrol_policy_desired_replicas", "Replicas the last decision asked for.", "namespace", "policy");
        CurrentReplicas = NewGauge("scalecontrol_policy_current_replicas", "Replicas the workload runs (spec).", "namespace", "policy");
        LastTick = NewGauge("scalecontrol_last_tick_timestamp_seconds", "Unix time of the last completed control-loop tick (leader only).");
        IsLeader = NewGauge("scalecontrol_leader", "1 while this replica is the leader.");
    }

    public Meter Meter { get; }

    public Counter<long> Evaluations { get; }
    public Counter<long> Decisions { get; }
    public Counter<long> ProposalTransitions { get; }
    public Counter<long> ProposalsPruned { get; }
    public Gauge<double> OpenProposals { get; }
    public Histogram<double> ApprovalWait { get; }
    public Histogram<double> DecisionToApplied { get; }
    public Counter<long> ScaleActions { get; }
    public Counter<long> KubernetesCalls { get; }
    public Counter<long> DingTalkCalls { get; }
    public Gauge<double> MetricValue { get; }
    public Gauge<double> DesiredReplicas { get; }
    public Gauge<double> CurrentReplicas { get; }
    public Gauge<double> LastTick { get; }
    public Gauge<double> IsLeader { get; }

    /// <summary>The label names an instrument's measurements carry, in exposition order (tags are matched by name).</summary>
    public IReadOnlyList<string> LabelsOf(Instrument instrument) => _labels.GetValueOrDefault(instrument) ?? [];

    /// <summary>One evaluation of a policy by the loop, with the decision's outcome.</summary>
    public void Evaluated(string @namespace, string policy, string outcome)
    {
        Evaluations.Add(1, new("namespace", @namespace), new("policy", policy));
        Decisions.Add(1, new KeyValuePair<string, object?>("outcome", outcome));
    }

    public void Replicas(string @namespace, string policy, int desired, int current)
    {
        DesiredReplicas.Record(desired, new("namespace", @namespace), new("policy", policy));
        CurrentReplicas.Record(current, new("namespace", @namespace), new("policy", policy));
    }

    public void PolicyMetric(string @namespace, string policy, string metric, double value) =>
        MetricValue.Record(value, new("namespace", @namespace), new("policy", policy), new("metric", metric));

    public void ProposalEntered(string phase) => ProposalTransitions.Add(1, new KeyValuePair<string, object?>("phase", phase));

    public void ProposalPruned(string reason) => ProposalsPruned.Add(1, new KeyValuePair<string, object?>("reason", reason));

    public void ScaleAction(string direction, string result) => ScaleActions.Add(1, new("direction", direction), new("result", result));

    public void KubernetesCall(string operation, string result) => KubernetesCalls.Add(1, new("operation", operation), new("result", result));

    public void DingTalkCall(string operation, string result) => DingTalkCalls.Add(1, new("operation", operation), new("result", result));

    public void AppliedAfter(string channel, double seconds) => DecisionToApplied.Record(seconds, new KeyValuePair<string, object?>("channel", channel));

    private Counter<long> NewCounter(string name, string help, params string[] labels) =>
        Labelled(Meter.CreateCounter<long>(name, unit: null, description: help), labels);

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
