using ScaleControl.Core.Policies;

namespace ScaleControl.Core.Decisions;

/// <summary>
/// Mode Observe, the shadow mode: the engine decides as for Auto (<see cref="ApprovalShaping.Outcome"/>), and the host
/// shows the decision as what the policy would do but writes nothing: no scale, no HPA minimum, no proposal, no card.
/// Commands that scale on the policy's behalf (pin, approve, undo) are refused with <see cref="Refusal"/>.
/// </summary>
public static class ObserveMode
{
    public static bool Observes(ScalePolicySpec spec) => spec.Mode == ScaleMode.Observe;

    /// <summary>What the loop says of an observed decision, after its reason; null when it would run what runs.</summary>
    public static string? Said(in Decision decision) =>
        decision.DesiredReplicas == decision.CurrentReplicas ? null
        : $"mode Observe: would scale {decision.CurrentReplicas} → {decision.DesiredReplicas}, nothing written";

    /// <summary>The <c>ScaleObserved</c> Event's message: without the reason's live values, so a repeat bumps its count.</summary>
    public static string EventMessage(int running, int would) =>
        $"would scale {running} → {would} (mode Observe: nothing written)";

    /// <summary>Why <paramref name="action"/> is refused on an Observe policy (a pin, an approval, an undo: each would scale).</summary>
    public static string Refusal(ScalePolicy policy, string action) =>
        $"policy {policy.Key} is in mode Observe: it shows what it would do and scales nothing, so it does not {action}; "
        + "set spec.mode to Auto, Approval or Hybrid first, or scale the workload itself (kubectl scale)";

    /// <summary>Why a proposal of an Observe policy is withdrawn (one left from before the switch): it will not be applied.</summary>
    public static string? Withdrawn(ScalePolicy policy) =>
        Observes(policy.Spec) ? $"policy {policy.Key} is now in mode Observe: it scales nothing" : null;
}
