using ScaleControl.Core.Decisions;
using ScaleControl.Core.Policies;

namespace ScaleControl.Server.Control.Queries;

/// <summary>What one replayed evaluation did: the count to set (null: none), the words for the APPROVAL column, the
/// decision the row shows, and how many changes it applied (<paramref name="Automatic"/> of them without asking).</summary>
internal sealed record WhatIfAct(int? ApplyTo, string? Said, Decision Shown, int Changes, int Automatic, int? AutomaticTo = null);

/// <summary>
/// The what-if's Hybrid split, made as the loop makes it (<see cref="HybridAllowance.Split"/>): the automatic part is
/// applied at the step's time, counted against the allowance over its window from the replay's own automatic changes,
/// and the rest is proposed and waits for its approval (<see cref="WhatIfApprovals"/>). Not Hybrid in the decision's
/// direction: null, and the caller treats the decision as before.
/// </summary>
internal sealed class WhatIfHybridSplit(ScalePolicySpec spec, WhatIfApprovals approvals)
{
    private readonly List<ScaleChange> _automatic = [];

    public WhatIfAct? Step(DateTimeOffset now, int specReplicas, Decision decision)
    {
        if (HybridAllowance.Split(spec, decision, _automatic, now) is not { } split)
        {
            return null;
        }

        var said = new List<string>();
        int? applyTo = null, automaticTo = null;
        if (split.AutomaticTo != specReplicas)
        {
            // As in the loop: the automatic part supersedes a proposal that waits, and the rest is asked afresh.
            var (applied, superseded) = approvals.Step(now, specReplicas, decision with { DesiredReplicas = split.AutomaticTo, Outcome = DecisionOutcome.ApplyNow });
            _automatic.Add(new ScaleChange(now, specReplicas, split.AutomaticTo));
            Add(said, superseded);
            said.Add($"auto {specReplicas} → {split.AutomaticTo} (allowance {Signed(split.AutomaticTo - specReplicas)})");
            applyTo = automaticTo = applied;
        }

        if (split.Rest is not { } rest)
        {
            return new WhatIfAct(applyTo, Words(said), decision with { Outcome = DecisionOutcome.ApplyNow }, applyTo is null ? 0 : 1, applyTo is null ? 0 : 1, automaticTo);
        }

        var (made, approved) = (approvals.Made, approvals.Approved);
        var (approvedTo, proposal) = approvals.Step(now, split.AutomaticTo, rest);
        if (automaticTo is null && approvals.Made > made)
        {
            said.Add("allowance used up");
        }

        // With no delay the approvals say nothing: the row still shows that the rest was asked and approved at once.
        Add(said, proposal ?? (approvals.Approved > approved ? $"proposed {split.AutomaticTo} → {approvedTo}, approved at once" : null));
        var changes = (automaticTo is null ? 0 : 1) + (approvedTo is { } to && to != split.AutomaticTo ? 1 : 0);
        return new WhatIfAct(approvedTo ?? applyTo, Words(said), rest, changes, automaticTo is null ? 0 : 1, automaticTo);
    }

    private static void Add(List<string> said, string? words)
    {
        if (words is not null)
        {
            said.Add(words);
        }
    }

    private static string? Words(List<string> said) => said.Count == 0 ? null : string.Join(", ", said);

    private static string Signed(int step) => step > 0 ? $"+{step}" : $"{step}";
}
