using ScaleControl.Core.Commands;
using ScaleControl.Core.Policies;

namespace ScaleControl.Server.Chat;

/// <summary>
/// Under the two-person rule, whether a confirmer may still confirm the risky command, judged by the policies it
/// changes as they are now (<see cref="ConfirmationRule"/>): the approvers stored with the question are the ones of
/// that moment, and the rota changes in a storm (as a card tap is judged: docs/dingtalk.md, "The policy as it is now").
/// </summary>
public static class ConfirmationRoster
{
    /// <summary>Why <paramref name="confirmer"/> cannot confirm <paramref name="pending"/> now; null when they can.</summary>
    /// <param name="policy">The policy the confirmation is stored on, read now (null: deleted since).</param>
    /// <param name="changed">The policies the command would change now (for <c>freeze ns/*</c>, every policy of the namespace).</param>
    public static string? Refusal(PendingConfirmation pending, string confirmer, ScalePolicy? policy, IReadOnlyList<ScalePolicy> changed)
    {
        if (policy is null)
        {
            return $"policy {pending.Policy} no longer exists. Nothing was changed.";
        }

        return ConfirmationRule.Refusal(pending.OtherApprover, confirmer, changed, policy) is { } refusal ? $"{refusal} Nothing was changed." : null;
    }
}
