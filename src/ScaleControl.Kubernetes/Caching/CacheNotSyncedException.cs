namespace ScaleControl.Kubernetes.Caching;

/// <summary>Why a watch cache has no first list yet: the last failure's words, when it happened and how many in a row.</summary>
public sealed record CacheFailure(string Message, DateTimeOffset At, int Failures);

/// <summary>A read that needs a cache whose first list has not succeeded (see <see cref="ResourceCache{T}.EnsureSyncedAsync"/>).</summary>
public sealed class CacheNotSyncedException(string resource, CacheFailure failure)
    : Exception($"cannot read {resource}: {failure.Message}{(failure.Failures > 1 ? $" ({failure.Failures} failures in a row)" : "")}")
{
    public string Resource { get; } = resource;

    public CacheFailure Failure { get; } = failure;
}
