using System.Globalization;
using ScaleControl.Core.Policies;
using ScaleControl.Core.Proposals;

namespace ScaleControl.Server.Control.Overrides;

/// <summary>
/// A pin that waited for approval holds from the moment it is applied: writes the pin into the policy's spec, for the
/// duration the requester asked for. Pins applied at once were written before scaling and carry no duration annotation.
/// </summary>
public sealed class PinActivation(PolicySpecEditor editor, TimeProvider time)
{
    public async Task ActivateAsync(ScaleProposal applied, CancellationToken cancellationToken)
    {
        if (applied.Status.Phase != ProposalPhase.Applied
            || ProposalFactory.ActionOf(applied) != ProposalFactory.Action.Pin
            || applied.Metadata.Annotations?.GetValueOrDefault(ProposalFactory.PinDurationAnnotation) is not { } duration
            || !int.TryParse(duration, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds))
        {
            return;
        }

        var pin = new PinSpec
        {
            Replicas = applied.Status.AppliedReplicas ?? applied.Spec.ToReplicas,
            Until = time.GetUtcNow().AddSeconds(seconds),
            Reason = applied.Metadata.Annotations.GetValueOrDefault(ProposalFactory.PinReasonAnnotation) ?? applied.Spec.Reason,
            By = applied.Spec.RequestedBy,
        };
        await editor.ChangeAsync(applied.Metadata.Namespace, applied.Spec.PolicyName, s => s with { Pin = pin }, cancellationToken);
    }
}
