using ScaleControl.Core.Capacity;
using ScaleControl.Core.Ports;
using ScaleControl.Core.Proposals;
using ScaleControl.Core.Text;
using V = ScaleControl.DingTalk.Cards.ApprovalCardVariables;

namespace ScaleControl.DingTalk.Cards;

/// <summary>
/// The card of a burst of automatic steps (<see cref="AutoNoticeRules"/>): one card per hot event per workload (or per
/// policy group scaling together), updated in place on every step. Status <c>auto</c>: no approval buttons; Undo all
/// while a step can still be taken back (newest first, so the workload goes back through every step).
/// </summary>
public sealed partial class ApprovalCardContent
{
    /// <summary>The status of an automatic steps card.</summary>
    public const string AutoStatus = "auto";

    private static bool IsAutomatic(ScaleProposal proposal) => ProposalFactory.ActionOf(proposal) == ProposalFactory.Action.Auto;

    /// <summary>"shop/checkout-api scaling automatically: 4 → 7 → 12 → 15", started when, now how many pods at what cost, why.</summary>
    public IReadOnlyDictionary<string, string> BuildAuto(IReadOnlyList<ScaleProposal> rows)
    {
        var newest = rows[^1];
        var workloads = rows.GroupBy(WorkloadOf, StringComparer.Ordinal).Select(g => (Name: g.Key, Steps: g.ToList())).ToList();
        var from = workloads.Sum(w => w.Steps[0].Spec.FromReplicas);
        var now = workloads.Sum(w => Running(w.Steps));
        var group = newest.Spec.Group;
        var metric = KeyMetric(newest.Spec.Evidence);
        var applied = rows.Where(r => r.Status.Phase == ProposalPhase.Applied).ToList();
        var undoable = rows.Count(r => UndoRules.Offered(r, r.Status.AppliedAt ?? default, TimeSpan.MaxValue) is null);

        var map = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            [V.Title] = group is null || workloads.Count == 1
                ? $"{workloads[0].Name} scaling automatically: {RampText(workloads[0].Steps)}"
                : $"{group}: {workloads.Count} services scaling automatically ({from} → {now} replicas)",
            [V.Workload] = string.Join(", ", workloads.Select(w => $"{w.Steps[0].Spec.Target.Kind} {w.Name}")),
            [V.Namespace] = newest.Metadata.Namespace,
            [V.ReplicasFrom] = Number(from),
            [V.ReplicasTo] = Number(now),
            [V.HalfStepTo] = "",
            [V.Reason] = MarkdownText.Line(newest.Spec.Reason),
            [V.CurrentTraffic] = metric?.Value is { } value ? $"{Compact(value)} {metric.Name}" : "",
            [V.PredictedTraffic] = metric?.Predicted is { } predicted ? $"{Compact(predicted)} {metric.Name}" : "",
            [V.PerPodTarget] = metric is not null ? $"{Compact(metric.Target)} {metric.Name}/pod" : "",
            [V.CostDelta] = AutoCost(applied, now - from, workloads.Count == 1 ? newest.Spec.Capacity : null, now),
            [V.Room] = "",
            [V.OnCall] = "",
            [V.ExpiresAt] = "",
            [V.Status] = AutoStatus,
            [V.StatusText] = $"started {Time(AutoNoticeRules.StepTime(rows[0]))} · {rows.Count} step{(rows.Count == 1 ? "" : "s")}, latest {Time(AutoNoticeRules.StepTime(newest))}",
            [V.DecidedBy] = "ScaleControl (automatic policy)",
            [V.DecidedAt] = Time(AutoNoticeRules.StepTime(newest)),
            [V.Result] = string.Join("\n", workloads.Select(w => $"{w.Name}: {Result(w.Steps[^1])}")),
            [V.Updated] = "",
            [V.Group] = group ?? "",
            // Newest first: when the 1 KB limit cuts, the oldest steps go.
            [V.Rows] = string.Join("\n", Enumerable.Reverse(rows).Select(AutoRow)),
            [V.RowItems] = "",
            [V.AllSeen] = "",
            [V.UndoTo] = "",
            [V.UndoAll] = undoable > 0 ? Number(undoable) : "",
            [V.DetailUrl] = detailsBaseUrl is null ? "" : DeepLink.ToDingTalkSidePanel(ProposalPage(newest)),
        };

        return Finished(map);
    }

    /// <summary>"4 → 7 → 12 → 15"; a workload whose only step failed shows the step it tried.</summary>
    private static string RampText(IReadOnlyList<ScaleProposal> steps) =>
        AutoNoticeRules.Ramp(steps) is { Count: > 0 } ramp
            ? string.Join(" → ", ramp)
            : $"{steps[^1].Spec.FromReplicas} → {steps[^1].Spec.ToReplicas} (not applied)";

    /// <summary>What the workload runs after its steps on the card: the newest applied step's count, else where it started.</summary>
    private static int Running(IReadOnlyList<ScaleProposal> steps) =>
        steps.LastOrDefault(s => s.Status.Phase == ProposalPhase.Applied) is { Status.AppliedReplicas: { } replicas } ? replicas : steps[0].Spec.FromReplicas;

    /// <summary>"+11 pods · +5.5 CPU, +11 GiB · ≈ ¥26.40/h; now 15 pods · ≈ ¥36.00/h": the steps' total, then what runs now.</summary>
    private static string AutoCost(IReadOnlyList<ScaleProposal> applied, int delta, CapacityEstimate? newest, int now)
    {
        var total = applied.Count > 0 && applied.All(r => r.Spec.Capacity is not null)
            ? CapacityText.Change(CapacitySum.Of([.. applied.Select(r => r.Spec.Capacity!)]))
            : PodDelta(delta);
        return $"{total}; {CapacityText.Running(now, newest)}";
    }

    /// <summary>"20:01:05 UTC **shop/checkout-api** 4 → 7 · 1.2k qps (500 qps/pod)", or the step's outcome when it was not applied.</summary>
    private string AutoRow(ScaleProposal step)
    {
        var metric = KeyMetric(step.Spec.Evidence);
        var why = metric?.Value is { } value ? $" · {Compact(value)} {metric.Name} ({Compact(metric.Target)}/pod)" : "";
        var outcome = step.Status.Phase == ProposalPhase.Applied
            ? $"{step.Spec.FromReplicas} → {step.Status.AppliedReplicas ?? step.Spec.ToReplicas}{(step.Status.Undo is { } undo ? $" (undone by {MarkdownName(undo.By)})" : "")}"
            : $"{step.Spec.FromReplicas} → {step.Spec.ToReplicas} {step.Status.Phase.ToString().ToLowerInvariant()}";
        return $"{Time(AutoNoticeRules.StepTime(step))} **{WorkloadOf(step)}** {outcome}{why}";
    }
}
