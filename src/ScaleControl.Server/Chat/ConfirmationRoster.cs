using ScaleControl.Core.Policies;

namespace ScaleControl.Server.Chat;

/// <summary>
/// Under the two-person rule, whether a confirmer is still an approver of the policy the risky command is stored on,
/// judged by the roster as it is now: the approvers stored with the question are the ones of that moment, and the rota
/// changes in a storm (as a card tap is judged: docs/dingtalk.md, "The policy as it is now").
/// </summary>
public static class ConfirmationRoster
{
    /// <summary>Why <paramref name="confirmer"/> cannot confirm <paramref name="pending"/> now; null when they can.</summary>
    /// <param name="policy">The policy the confirmation is stored on, read now (null: deleted since).</param>
    public static string? Refusal(PendingConfirmation pending, string confirmer, ScalePolicy? policy)
    {
        if (policy is null)
        {
            return $"policy {pending.Policy} no longer exists. Nothing was changed.";
        }

        var approvers = policy.Spec.Approval?.Approvers ?? [];
        return pending.OtherApprover && !approvers.Contains(confirmer, StringComparer.Ordinal)
            ? $"{confirmer} is no longer an approver of policy {pending.Policy} (approvers: {(approvers.Count == 0 ? "none" : string.Join(", ", approvers))}); another approver can confirm it. Nothing was changed."
            : null;
    }
}
