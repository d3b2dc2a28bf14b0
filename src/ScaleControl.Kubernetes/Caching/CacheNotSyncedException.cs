namespace ScaleControl.Kubernetes.Caching;

/// <summary>Why a watch cache has no first list yet: the last failure's words, when it happened and how many in a row.</summary>
public sealed record CacheFailure(string Message, DateTimeOffset At, int Failures);

/// <summary>
/// A read that needs a cache whose first list has not succeeded (see <see cref="ResourceCache{T}.EnsureSyncedAsync"/>).
/// The message is the cause alone, without the count of failures, so it stays the same while the cause does (the loop
/// logs and writes the policy's status once per cause).
/// </summary>
public sealed class CacheNotSyncedException(string resource, CacheFailure failure)
    : Exception($"cannot read {resource}: {failure.Message}")
{
    public string Resource { get; } = resource;

    public CacheFailure Failure { get; } = failure;
}
