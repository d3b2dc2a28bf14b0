using ScaleControl.Core.Policies;
using ScaleControl.Core.Proposals;

namespace ScaleControl.Core.Ports;

/// <summary>ScalePolicy storage (Kubernetes custom resources; in-memory in unit tests).</summary>
public interface IPolicyStore
{
    /// <summary>All policies, or those of one namespace. Served from a watch cache: cheap to call every tick.</summary>
    Task<IReadOnlyList<ScalePolicy>> ListAsync(string? @namespace, CancellationToken cancellationToken);

    Task<ScalePolicy?> GetAsync(string @namespace, string name, CancellationToken cancellationToken);

    /// <summary>
    /// The policy as the store holds it now, not as a watch cache last saw it: the re-check right before a scale write
    /// must see a pin or freeze another replica wrote a moment ago. A store without a cache is always current.
    /// Throws <see cref="StoreUnavailableException"/> when the store did not answer (an error, a timeout, unreachable):
    /// not knowing the policy is not the same as its being gone.
    /// </summary>
    Task<ScalePolicy?> GetCurrentAsync(string @namespace, string name, CancellationToken cancellationToken) => GetAsync(@namespace, name, cancellationToken);

    /// <summary>Creates or replaces the spec. A set <c>metadata.resourceVersion</c> is a precondition (409 → <see cref="ConcurrencyConflictException"/>).</summary>
    Task<ScalePolicy> UpsertAsync(ScalePolicy policy, CancellationToken cancellationToken);

    Task<bool> DeleteAsync(string @namespace, string name, CancellationToken cancellationToken);

    /// <summary>Writes the status subresource only.</summary>
    Task<ScalePolicy> UpdateStatusAsync(ScalePolicy policy, CancellationToken cancellationToken);
}

/// <summary>ScaleProposal storage: the audit trail. Updates are conditional on resourceVersion.</summary>
public interface IProposalStore
{
    Task<IReadOnlyList<ScaleProposal>> ListAsync(string? @namespace, CancellationToken cancellationToken);

    Task<ScaleProposal?> GetAsync(string @namespace, string name, CancellationToken cancellationToken);

    /// <summary>
    /// The proposal as the store holds it now, not as a watch cache last saw it: after a conflict the writer must see
    /// the other replica's write, which the cache may not have yet. Throws <see cref="StoreUnavailableException"/> when
    /// the store did not answer. A store without a cache is always current.
    /// </summary>
    Task<ScaleProposal?> GetCurrentAsync(string @namespace, string name, CancellationToken cancellationToken) => GetAsync(@namespace, name, cancellationToken);

    Task<ScaleProposal> CreateAsync(ScaleProposal proposal, CancellationToken cancellationToken);

    /// <summary>
    /// Replaces spec and status if <c>metadata.resourceVersion</c> still matches; otherwise throws
    /// <see cref="ConcurrencyConflictException"/> so two replicas (or two taps) cannot both move a proposal.
    /// </summary>
    Task<ScaleProposal> UpdateAsync(ScaleProposal proposal, CancellationToken cancellationToken);

    /// <summary>
    /// Deletes the proposal if <c>metadata.resourceVersion</c> still matches; otherwise throws
    /// <see cref="ConcurrencyConflictException"/>, so a record that moved since it was read is never removed unseen.
    /// A proposal that is already gone is not an error.
    /// </summary>
    Task DeleteAsync(ScaleProposal proposal, CancellationToken cancellationToken);
}

/// <summary>The object changed since it was read; re-read and decide again.</summary>
public sealed class ConcurrencyConflictException(string message) : Exception(message);

/// <summary>
/// A write of a policy ScaleControl could not read (<see cref="Policies.ScalePolicy.Unreadable"/>): its spec is a stand-in,
/// and writing it back would replace what is stored. Fix the stored policy (kubectl) or replace it whole.
/// </summary>
public sealed class UnreadablePolicyException(string message) : Exception(message);

/// <summary>The store could not be read: it answered with an error, did not answer in time, or could not be reached. Worth trying again later.</summary>
public sealed class StoreUnavailableException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>
/// The Kubernetes API server refused to store the object (422 Invalid): <see cref="Errors"/> holds its causes by field
/// (<c>metadata.labels</c>), its own words. Nothing was stored; the caller sent something the checks here do not know.
/// </summary>
public sealed class ObjectInvalidException(string message, IReadOnlyDictionary<string, string[]> errors) : Exception(message)
{
    public IReadOnlyDictionary<string, string[]> Errors { get; } = errors;
}

/// <summary>The object's namespace does not exist in the cluster; a user is told to create it first, as kubectl is.</summary>
public sealed class NamespaceNotFoundException(string @namespace)
    : Exception($"namespace \"{@namespace}\" does not exist in the cluster; create it first (kubectl create namespace {@namespace})")
{
    public string Namespace { get; } = @namespace;
}

/// <summary>
/// The request names a namespace this ScaleControl does not work in (it is restricted to a set of namespaces): refused
/// before any call to the cluster, with a message naming the namespace and the set.
/// </summary>
public sealed class NamespaceNotWatchedException(string @namespace, string message) : Exception(message)
{
    public string Namespace { get; } = @namespace;
}
