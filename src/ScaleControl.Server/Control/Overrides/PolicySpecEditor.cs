using ScaleControl.Core.Policies;
using ScaleControl.Core.Ports;

namespace ScaleControl.Server.Control.Overrides;

/// <summary>Read-modify-write of a policy's spec, conditional on resourceVersion; re-read and retry on conflict.</summary>
public sealed class PolicySpecEditor(IPolicyStore policies)
{
    public async Task<OverrideResult> ChangeAsync(string @namespace, string name, Func<ScalePolicySpec, ScalePolicySpec> change, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            var policy = await policies.GetAsync(@namespace, name, cancellationToken);
            if (policy is null)
            {
                return new OverrideResult(null, $"ScalePolicy {@namespace}/{name} does not exist", StatusCodes.Status404NotFound);
            }

            try
            {
                return new OverrideResult(await policies.UpsertAsync(policy with { Spec = change(policy.Spec) }, cancellationToken), null);
            }
            catch (ConcurrencyConflictException) when (attempt < 5)
            {
            }
        }
    }
}
