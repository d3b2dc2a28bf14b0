using ScaleControl.Core.Policies;
using ScaleControl.Core.Ports;

namespace ScaleControl.Server.Control.Overrides;

/// <summary>
/// Read-modify-write of a policy's spec, conditional on resourceVersion; re-read and retry on conflict. A policy that
/// keeps changing under the write (ten pins at the same moment) is a 409, never an unhandled 500; so is one stored in a
/// form ScaleControl cannot read (<see cref="ScalePolicy.Unreadable"/>), whose spec it would otherwise write back blank.
/// </summary>
public sealed class PolicySpecEditor(IPolicyStore policies)
{
    public const int Attempts = 5;

    /// <summary>
    /// The refusal for a policy stored in a form ScaleControl cannot read (<see cref="ScalePolicy.Unreadable"/>), null for a
    /// readable one. Every override asks it at its first read of the policy, before it judges the order against a spec
    /// that is only a stand-in (no bounds, no pin, no freeze), and the write itself asks it again.
    /// </summary>
    public static OverrideResult? Unreadable(ScalePolicy policy) =>
        policy.UnreadableProblem() is { } problem
            ? new OverrideResult(null, $"{problem}; nothing was changed: fix it with kubectl first",
                StatusCodes.Status409Conflict)
            : null;

    public async Task<OverrideResult> ChangeAsync(string @namespace, string name, Func<ScalePolicySpec, ScalePolicySpec> change, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            // After a conflict, what the store holds now: the watch cache may not have the other writer's change yet.
            var policy = attempt == 1
                ? await policies.GetAsync(@namespace, name, cancellationToken)
                : await policies.GetCurrentAsync(@namespace, name, cancellationToken);
            if (policy is null)
            {
                return new OverrideResult(null, $"ScalePolicy {@namespace}/{name} does not exist", StatusCodes.Status404NotFound);
            }

            if (Unreadable(policy) is { } unreadable)
            {
                return unreadable;
            }

            try
            {
                return new OverrideResult(await policies.UpsertAsync(policy with { Spec = change(policy.Spec) }, cancellationToken), null);
            }
            catch (ConcurrencyConflictException) when (attempt < Attempts)
            {
            }
            catch (ConcurrencyConflictException)
            {
                return new OverrideResult(null, $"ScalePolicy {@namespace}/{name} changed {Attempts} times while this change was written; nothing was changed, try again",
                    StatusCodes.Status409Conflict);
            }
        }
    }
}
