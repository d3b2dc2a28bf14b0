using ScaleControl.Core.Policies;

namespace ScaleControl.Core.Commands;

/// <summary>Who may confirm a risky chat command, decided by <see cref="ConfirmationRule"/>.</summary>
/// <param name="OtherApprover">A second person must confirm: some policy the command changes has the two-person rule.</param>
/// <param name="Approvers">Who may be that second person: the approvers on the roster of every such policy.</param>
/// <param name="Problem">Why nobody but the sender could confirm it (no other approver is on every roster); null when someone can.</param>
public sealed record ConfirmationAsk(bool OtherApprover, IReadOnlyList<string> Approvers, string? Problem);

/// <summary>
/// The two-person rule for a risky command, judged by the strictest of the policies it changes: one policy
/// (<c>scale</c>, <c>unprepare</c>) or every policy of a namespace (<c>freeze ns/*</c>). If any of them needs two approvals
/// (<see cref="ApprovalSpec.RequiredApprovals"/> ≥ 2 or a <see cref="ApprovalSpec.TwoPersonRule"/>), the command needs
/// another person's confirmation, and that person must be an approver of every such policy — else a namespace-wide
/// command would let one person change a policy whose rule asks for two. Judged when asked and again when confirmed,
/// by the policies as they are then (the rota changes in a storm; a policy may gain the rule meanwhile).
/// </summary>
public static class ConfirmationRule
{
    /// <summary>Whether a risky change to <paramref name="policy"/> needs a second person.</summary>
    public static bool NeedsTwoPersons(ScalePolicy policy) => policy.Spec.Approval is { RequiredApprovals: >= 2 } or { TwoPersonRule: not null };

    /// <summary>Who may confirm <paramref name="sender"/>'s command over <paramref name="changed"/> (one or more policies).</summary>
    public static ConfirmationAsk Ask(IReadOnlyList<ScalePolicy> changed, string sender)
    {
        var strict = changed.Where(NeedsTwoPersons).ToList();
        if (strict.Count == 0)
        {
            return new ConfirmationAsk(false, changed.Count == 1 ? changed[0].Spec.Approval?.Approvers ?? [] : [], null);
        }

        var common = strict.Skip(1).Aggregate(
            (IEnumerable<string>)RosterOf(strict[0]), (both, p) => both.Intersect(RosterOf(p), StringComparer.Ordinal)).ToList();
        var problem = common.Any(a => a != sender) ? null
            : strict.Count == 1
                ? $"policy {strict[0].Key} has the two-person rule and no approver but {sender} on its roster"
                : $"{Names(strict)} have the two-person rule, and no approver but {sender} is on the roster of all of them";
        return new ConfirmationAsk(true, common, problem);
    }

    /// <summary>
    /// Why <paramref name="confirmer"/> cannot confirm now; null when they can. <paramref name="changed"/> are the
    /// policies the command would change as they are now; <paramref name="stored"/> the one the question is stored on.
    /// The sender confirming their own command is refused before (<paramref name="otherApprover"/> is their answer).
    /// </summary>
    public static string? Refusal(bool otherApprover, string confirmer, IReadOnlyList<ScalePolicy> changed, ScalePolicy stored)
    {
        var strict = changed.Where(NeedsTwoPersons).ToList();
        if (!otherApprover)
        {
            return strict.Count == 0 ? null
                : $"{Names(strict)} {(strict.Count == 1 ? "has" : "have")} the two-person rule now, which {(strict.Count == 1 ? "it" : "they")} did not have when this was asked; send the command again to ask another approver.";
        }

        // The policies to be a second person for: those with the rule now; if none has it any more, the one asked about.
        foreach (var policy in strict.Count == 0 ? [stored] : strict)
        {
            var roster = RosterOf(policy);
            if (!roster.Contains(confirmer, StringComparer.Ordinal))
            {
                return $"{confirmer} is no longer an approver of policy {policy.Key} (approvers: {(roster.Count == 0 ? "none" : string.Join(", ", roster))}); " +
                    $"another approver{(strict.Count > 1 ? $" of all of {Names(strict)}" : "")} can confirm it.";
            }
        }

        return null;
    }

    private static IReadOnlyList<string> RosterOf(ScalePolicy policy) => policy.Spec.Approval?.Approvers ?? [];

    /// <summary>At most five names, then how many more: a namespace may hold hundreds of policies.</summary>
    private static string Names(IReadOnlyList<ScalePolicy> policies) =>
        (policies.Count == 1 ? "policy " : "policies ") + string.Join(", ", policies.Take(5).Select(p => p.Key)) + (policies.Count > 5 ? $" and {policies.Count - 5} more" : "");
}
