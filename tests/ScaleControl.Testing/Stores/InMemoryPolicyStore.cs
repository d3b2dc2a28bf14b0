using ScaleControl.Core.Policies;
using ScaleControl.Policies.Yaml;
using ScaleControl.Core.Ports;

namespace ScaleControl.Testing.Stores;

/// <summary>
/// A thread-safe <see cref="IPolicyStore"/> with Kubernetes semantics (resourceVersion preconditions, generation on
/// spec changes, uid and creationTimestamp on create), for unit tests of the projects that use policies.
/// </summary>
public sealed class InMemoryPolicyStore(TimeProvider? time = null) : IPolicyStore
{
    private readonly Lock _gate = new();
    private readonly Dictionary<string, ScalePolicy> _items = new(StringComparer.Ordinal);
    private readonly ResourceVersions _versions = new();
    private readonly TimeProvider _time = time ?? TimeProvider.System;

    private Dictionary<string, ScalePolicy>? _stalled;

    /// <summary>
    /// From now on <see cref="ListAsync"/> and <see cref="GetAsync"/> answer what the store holds now, as a watch cache
    /// that stopped following does; writes and <see cref="GetCurrentAsync"/> (a read from the API server) go on.
    /// </summary>
    public void StallCache()
    {
        lock (_gate)
        {
            _stalled = new Dictionary<string, ScalePolicy>(_items, StringComparer.Ordinal);
        }
    }

    public Task<IReadOnlyList<ScalePolicy>> ListAsync(string? @namespace, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            IReadOnlyList<ScalePolicy> list = [.. (_stalled ?? _items).Values
                .Where(p => @namespace is null || p.Metadata.Namespace == @namespace)
                .OrderBy(p => p.Key, StringComparer.Ordinal)];
            return Task.FromResult(list);
        }
    }

    public Task<ScalePolicy?> GetAsync(string @namespace, string name, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            return Task.FromResult((_stalled ?? _items).GetValueOrDefault($"{@namespace}/{name}"));
        }
    }

    public Task<ScalePolicy?> GetCurrentAsync(string @namespace, string name, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            return Task.FromResult(_items.GetValueOrDefault($"{@namespace}/{name}"));
        }
    }

    /// <summary>Answers the next N conditional spec writes with a conflict, as if someone wrote just before each.</summary>
    public int ConflictsToInject { get; set; }

    /// <summary>Thrown by the next spec write instead of storing it, as the API server's refusal would be.</summary>
    public Exception? RefuseNextUpsert { get; set; }

    public Task<ScalePolicy> UpsertAsync(ScalePolicy policy, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            if (RefuseNextUpsert is { } refusal)
            {
                RefuseNextUpsert = null;
                throw refusal;
            }

            var existing = _items.GetValueOrDefault(policy.Key);
            if (ConflictsToInject > 0 && existing is not null && policy.Metadata.ResourceVersion is not null)
            {
                ConflictsToInject--;
                _items[policy.Key] = existing with { Metadata = existing.Metadata with { ResourceVersion = _versions.Next() } };
                existing = _items[policy.Key];
            }

            CheckPrecondition(policy.Key, policy.Metadata.ResourceVersion, existing?.Metadata.ResourceVersion);

            var metadata = policy.Metadata with
            {
                Uid = existing?.Metadata.Uid ?? Guid.NewGuid().ToString(),
                CreationTimestamp = existing?.Metadata.CreationTimestamp ?? _time.GetUtcNow(),
                ResourceVersion = _versions.Next(),
                Generation = existing is null ? 1 : SameSpec(existing, policy) ? existing.Metadata.Generation : existing.Metadata.Generation + 1,
            };

            // As with the status subresource, a spec write keeps the stored status.
            var stored = policy with { Metadata = metadata, Status = existing?.Status ?? policy.Status };
            _items[policy.Key] = stored;
            return Task.FromResult(stored);
        }
    }

    public Task<bool> DeleteAsync(string @namespace, string name, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            return Task.FromResult(_items.Remove($"{@namespace}/{name}"));
        }
    }

    /// <summary>How the next status writes fail, one entry each (none: they go through).</summary>
    public Queue<StatusWriteFault> StatusWriteFaults { get; } = new();

    public Task<ScalePolicy> UpdateStatusAsync(ScalePolicy policy, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            var existing = _items.GetValueOrDefault(policy.Key)
                ?? throw new KeyNotFoundException($"ScalePolicy {policy.Key} not found");
            var fault = StatusWriteFaults.TryDequeue(out var next) ? next : (StatusWriteFault?)null;
            if (fault == StatusWriteFault.Conflict)
            {
                _items[policy.Key] = existing = existing with { Metadata = existing.Metadata with { ResourceVersion = _versions.Next() } };
            }
            else if (fault == StatusWriteFault.Unavailable)
            {
                throw new StoreUnavailableException($"ScalePolicy {policy.Key}: the API server did not answer");
            }

            CheckPrecondition(policy.Key, policy.Metadata.ResourceVersion, existing.Metadata.ResourceVersion);

            var stored = existing with
            {
                Metadata = existing.Metadata with { ResourceVersion = _versions.Next() },
                Status = policy.Status,
            };
            _items[policy.Key] = stored;
            return fault == StatusWriteFault.AnswerLost
                ? throw new StoreUnavailableException($"ScalePolicy {policy.Key}: the API server's answer was lost")
                : Task.FromResult(stored);
        }
    }

    // Records compare lists by reference; the YAML form compares what a user would see.
    private static bool SameSpec(ScalePolicy a, ScalePolicy b) =>
        PolicyYaml.Save(new ScalePolicy { Spec = a.Spec }) == PolicyYaml.Save(new ScalePolicy { Spec = b.Spec });

    private static void CheckPrecondition(string key, string? expected, string? actual)
    {
        if (expected is not null && expected != actual)
        {
            throw new ConcurrencyConflictException(actual is null
                ? $"ScalePolicy {key} does not exist (expected resourceVersion {expected})"
                : $"ScalePolicy {key} was modified: resourceVersion is {actual}, not {expected}; re-read and retry");
        }
    }
}

/// <summary>How <see cref="InMemoryPolicyStore.UpdateStatusAsync"/> fails a status write.</summary>
public enum StatusWriteFault
{
    /// <summary>A 409: someone wrote the policy just before.</summary>
    Conflict,

    /// <summary>The API server did not answer; nothing was written.</summary>
    Unavailable,

    /// <summary>Written, but the answer was lost: the writer sees a failure.</summary>
    AnswerLost,
}
