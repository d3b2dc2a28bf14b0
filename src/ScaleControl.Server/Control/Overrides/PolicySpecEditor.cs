using Microsoft.Extensions.Options;
using ScaleControl.Core.Policies;
using ScaleControl.Core.Ports;
using ScaleControl.Server.Hosting;
using ScaleControl.Server.Security;

namespace ScaleControl.Server.Control.Overrides;

/// <summary>
/// Read-modify-write of a policy's spec, conditional on resourceVersion; re-read and retry on conflict. A policy that
/// keeps changing under the write (ten pins at the same moment) is a 409, never an unhandled 500; so is one stored in a
/// form ScaleControl cannot read (<see cref="ScalePolicy.Unreadable"/>), whose spec it would otherwise write back blank.
/// An override's record (<see cref="OverrideRecords"/>) goes in the same write, signed, so the change is never made unrecorded.
/// </summary>
public sealed class PolicySpecEditor(IPolicyStore policies, IOptions<HistoryOptions> history, OverrideRecordSigner signer, TimeProvider time)
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

    /// <param name="record">
    /// The override's record, made from the policy as changed: written with the change, or, when the policy already holds
    /// a verified record of that id (the same request again), nothing is written and the result is <see cref="OverrideResult.Replayed"/>.
    /// </param>
    /// <param name="sameOrder">Whether that record was written for this order (its body): one written for another is a key reused, refused.</param>
    public async Task<OverrideResult> ChangeAsync(
        string @namespace, string name, Func<ScalePolicySpec, ScalePolicySpec> change, CancellationToken cancellationToken, Func<ScalePolicy, OverrideRecord>? record = null,
        Func<OverrideRecord, bool>? sameOrder = null)
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

            var changed = policy with { Spec = change(policy.Spec) };
            if (record?.Invoke(changed) is { } made)
            {
                var entry = signer.Sign(policy, made);
                if (OverrideRecords.Find(policy, entry.Id, signer) is { } done)
                {
                    return Replay(policy, entry, done, sameOrder);
                }

                var settings = history.Value;
                var annotations = OverrideRecords.With(policy, entry, signer, time.GetUtcNow(), TimeSpan.FromDays(settings.MaxAgeDays), settings.MaxPerPolicy);
                changed = changed with { Metadata = changed.Metadata with { Annotations = annotations } };
            }

            try
            {
                return new OverrideResult(await policies.UpsertAsync(changed, cancellationToken), null);
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

    /// <summary>Whether a request with this key was carried out before (its verified record is there): a retry whose first try went through.</summary>
    public bool DoneBefore(ScalePolicy policy, string user, string? requestKey) =>
        requestKey is not null && OverrideRecords.Find(policy, OverrideRecords.IdFor(user, requestKey), signer) is not null;

    /// <summary>
    /// The request was carried out before (its record is there): nothing is written again; a key reused for another kind
    /// of override, or for the same kind with another body, is refused.
    /// </summary>
    private static OverrideResult Replay(ScalePolicy policy, OverrideRecord asked, OverrideRecord done, Func<OverrideRecord, bool>? sameOrder) =>
        done.Kind != asked.Kind
            ? new OverrideResult(null, $"this request's Idempotency-Key was already used for another request ({done.Kind.ToLowerInvariant()} at {done.Time:u}); send a new key",
                StatusCodes.Status422UnprocessableEntity)
            : sameOrder is not null && !sameOrder(done)
                ? new OverrideResult(null, $"this request's Idempotency-Key was already used at {done.Time:u} with another body ({done.Kind.ToLowerInvariant()}, "
                    + "another duration or reason); nothing was changed: send a new key for a new request", StatusCodes.Status422UnprocessableEntity)
                : new OverrideResult(policy, null, Note: $"this request was already carried out at {done.Time:u}; nothing was written again") { Replayed = done };
}
