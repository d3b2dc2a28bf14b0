using ScaleControl.Core.Policies;

namespace ScaleControl.Core.Decisions;

/// <summary>How a Hybrid decision splits: the part applied now without asking, and the decision left to propose (null when nothing is left).</summary>
public sealed record HybridSplit(int AutomaticTo, Decision? Rest);

/// <summary>
/// Hybrid mode, bounded: the automatic allowance (<see cref="ScalePolicySpec.AutoApproveMaxStep"/>) is cumulative over
/// <see cref="ScalePolicySpec.AutoApproveWindowSeconds"/>, measured from the count before the first automatic change
/// in the window, so a creep of small steps asks like a jump does. A step beyond what is left is split: the
/// allowance is applied now and only the remainder is proposed.
/// </summary>
public static class HybridAllowance
{
    /// <summary>
    /// The split of <paramref name="decision"/> given the automatic changes already applied to the workload
    /// (<paramref name="automatic"/>, any order); null when the policy is not Hybrid in the decision's direction.
    /// </summary>
    public static HybridSplit? Split(ScalePolicySpec spec, Decision decision, IEnumerable<ScaleChange> automatic, DateTimeOffset now)
    {
        var up = decision.Direction == ScaleDirection.Up;
        var mode = up ? spec.Mode : spec.ScaleDownMode ?? spec.Mode;
        if (decision.Direction == ScaleDirection.None || mode != ScaleMode.Hybrid || spec.AutoApproveMaxStep is not { } limit
            || decision.Outcome is not (DecisionOutcome.ApplyNow or DecisionOutcome.Propose))
        {
            return null;
        }

        var since = now.AddSeconds(-spec.AutoApproveWindowSeconds);
        var sameWay = automatic.Where(c => c.Time > since && (c.To > c.From) == up && c.To != c.From).OrderBy(c => c.Time).ToList();
        var current = decision.CurrentReplicas;
        var baseline = sameWay.Count > 0 ? sameWay[0].From : current;
        var used = sameWay.Sum(c => Math.Abs(c.To - c.From));
        var left = Math.Max(0, ApprovalShaping.AllowedStep(limit, baseline) - used);
        var step = Math.Min(left, Math.Abs(decision.DesiredReplicas - current));
        var automaticTo = up ? current + step : current - step;
        if (automaticTo == decision.DesiredReplicas)
        {
            return new HybridSplit(automaticTo, null);
        }

        var rest = decision with
        {
            CurrentReplicas = automaticTo,
            Outcome = DecisionOutcome.Propose,
            AlternativeReplicas = ApprovalShaping.HalfStep(spec, automaticTo, decision.DesiredReplicas),
            RequiresTwoPersons = ApprovalShaping.RequiresTwoPersons(spec, automaticTo, decision.DesiredReplicas),
            Reason = step > 0
                ? $"{decision.Reason}; {current} → {automaticTo} applied automatically (allowance), the rest needs approval"
                : $"{decision.Reason}; the automatic allowance of {ApprovalShaping.AllowedStep(limit, baseline)} per {spec.AutoApproveWindowSeconds / 60} min is used up",
        };
        return new HybridSplit(automaticTo, rest);
    }
}
