using Prometheus;

namespace ScaleControl.Server.Telemetry;

/// <summary>
/// The product's Prometheus metrics (served at <c>/metrics</c>). Names follow Prometheus conventions:
/// <c>scalecontrol_</c> prefix, base units, <c>_total</c> for counters.
/// </summary>
public static class ScaleControlMetrics
{
    private static readonly string[] s_policyLabels = ["namespace", "policy"];

    public static readonly Counter Evaluations = Metrics.CreateCounter(
        "scalecontrol_evaluations_total", "Policy evaluations by the control loop.", s_policyLabels);

    public static readonly Counter Decisions = Metrics.CreateCounter(
        "scalecontrol_decisions_total", "Decisions by outcome (None, ApplyNow, Propose, Hold).", "outcome");

    public static readonly Counter ProposalTransitions = Metrics.CreateCounter(
        "scalecontrol_proposals_total", "Proposals entering a phase (Pending, Approved, Applied, Rejected, Expired, Superseded, Failed).", "phase");

    public static readonly Counter ProposalsPruned = Metrics.CreateCounter(
        "scalecontrol_proposals_pruned_total", "Finished proposals deleted by retention, by rule (max_age, max_per_policy).", "reason");

    public static readonly Gauge OpenProposals = Metrics.CreateGauge(
        "scalecontrol_open_proposals", "Proposals waiting for a decision (Pending or Approved).");

    public static readonly Histogram ApprovalWait = Metrics.CreateHistogram(
        "scalecontrol_approval_wait_seconds", "From proposal creation to the last needed approval.",
        new HistogramConfiguration { Buckets = Histogram.ExponentialBuckets(1, 2, 12) });

    public static readonly Histogram DecisionToApplied = Metrics.CreateHistogram(
        "scalecontrol_decision_to_applied_seconds", "From the decision to the acknowledged scale write.",
        new HistogramConfiguration { LabelNames = ["channel"], Buckets = Histogram.ExponentialBuckets(0.005, 2, 18) });

    public static readonly Counter ScaleActions = Metrics.CreateCounter(
        "scalecontrol_scale_actions_total", "Scale writes by direction and result.", "direction", "result");

    public static readonly Counter KubernetesCalls = Metrics.CreateCounter(
        "scalecontrol_kubernetes_calls_total", "Workload reads and scale writes against the Kubernetes API by operation and result.", "operation", "result");

    public static readonly Counter DingTalkCalls = Metrics.CreateCounter(
        "scalecontrol_dingtalk_calls_total", "DingTalk calls (cards, escalations, notices) by operation and result.", "operation", "result");

    public static readonly Gauge MetricValue = Metrics.CreateGauge(
        "scalecontrol_policy_metric_value", "Last value of each policy metric.", "namespace", "policy", "metric");

    public static readonly Gauge DesiredReplicas = Metrics.CreateGauge(
        "scalecontrol_policy_desired_replicas", "Replicas the last decision asked for.", s_policyLabels);

    public static readonly Gauge CurrentReplicas = Metrics.CreateGauge(
        "scalecontrol_policy_current_replicas", "Replicas the workload runs (spec).", s_policyLabels);

    public static readonly Gauge LastTick = Metrics.CreateGauge(
        "scalecontrol_last_tick_timestamp_seconds", "Unix time of the last completed control-loop tick (leader only).");

    public static readonly Gauge IsLeader = Metrics.CreateGauge(
        "scalecontrol_leader", "1 while this replica is the leader.");
}
