using ScaleControl.Core.Ports;
using ScaleControl.Core.Proposals;

namespace ScaleControl.Testing.Stores;

/// <summary>
/// A thread-safe <see cref="IProposalStore"/>: create fails when the name exists, and every update and delete must
/// carry the resourceVersion it read, so two concurrent taps cannot both move a proposal (the second gets
/// <see cref="ConcurrencyConflictException"/>, as from the Kubernetes API's 409).
/// </summary>
public sealed class InMemoryProposalStore(TimeProvider? time = null) : IProposalStore
{
    private readonly Lock _gate = new();
    private readonly Dictionary<string, ScaleProposal> _items = new(StringComparer.Ordinal);
    private readonly ResourceVersions _versions = new();
    private readonly TimeProvider _time = time ?? TimeProvider.System;

    private IReadOnlyCollection<ScaleProposal>? _lagging;

    /// <summary>
    /// Until disposed, lists answer with the proposals as they are now, as a watch cache that has not seen the next
    /// writes yet (reads by name and writes stay current).
    /// </summary>
    public IDisposable LagListing()
    {
        lock (_gate)
        {
            _lagging = [.. _items.Values];
        }

        return new Lag(this);
    }

    private IReadOnlyDictionary<string, ScaleProposal>? _laggingReads;

    /// <summary>
    /// Until disposed, reads by name answer with the proposals as they are now, as a watch cache that has not seen
    /// another replica's next writes (<see cref="GetCurrentAsync"/>, the API server's answer, stays current).
    /// </summary>
    public IDisposable LagReads()
    {
        lock (_gate)
        {
            _laggingReads = new Dictionary<string, ScaleProposal>(_items, StringComparer.Ordinal);
        }

        return new Lag(this);
    }

    private sealed class Lag(InMemoryProposalStore store) : IDisposable
    {
        public void Dispose()
        {
            lock (store._gate)
            {
                store._lagging = null;
                store._laggingReads = null;
            }
        }
    }

    private TaskCompletionSource? _listingHeld;
    private int _heldListings;

    /// <summary>Lists waiting for <see cref="HoldListing"/>'s hold to end now (a slow API server's).</summary>
    public int HeldListings => Volatile.Read(ref _heldListings);

    /// <summary>Until disposed, lists wait, as behind a slow API server or a busy watch cache, and are counted while they do.</summary>
    public IDisposable HoldListing()
    {
        var held = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Volatile.Write(ref _listingHeld, held);
        return new Release(() =>
        {
            Volatile.Write(ref _listingHeld, null);
            held.TrySetResult();
        });
    }

    private sealed class Release(Action release) : IDisposable
    {
        public void Dispose() => release();
    }

    public Task<IReadOnlyList<ScaleProposal>> ListAsync(string? @namespace, CancellationToken cancellationToken) =>
        Volatile.Read(ref _listingHeld) is { } held ? ListWhenReleasedAsync(held.Task, @namespace, cancellationToken) : Task.FromResult(List(@namespace));

    private async Task<IReadOnlyList<ScaleProposal>> ListWhenReleasedAsync(Task released, string? @namespace, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _heldListings);
        try
        {
            await released.WaitAsync(cancellationToken);
        }
        finally
        {
            Interlocked.Decrement(ref _heldListings);
        }

        return List(@namespace);
    }

    private IReadOnlyList<ScaleProposal> List(string? @namespace)
    {
        lock (_gate)
        {
            IReadOnlyList<ScaleProposal> list = [.. (_lagging ?? _items.Values)
                .Where(p => @namespace is null || p.Metadata.Namespace == @namespace)
                .OrderBy(p => p.Metadata.CreationTimestamp)
                .ThenBy(p => p.Key, StringComparer.Ordinal)];
            return list;
        }
    }

    public Task<ScaleProposal?> GetAsync(string @namespace, string name, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            return Task.FromResult((_laggingReads ?? _items).GetValueOrDefault($"{@namespace}/{name}"));
        }
    }

    public Task<ScaleProposal?> GetCurrentAsync(string @namespace, string name, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            return Task.FromResult(_items.GetValueOrDefault($"{@namespace}/{name}"));
        }
    }

    public Task<ScaleProposal> CreateAsync(ScaleProposal proposal, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            if (_items.ContainsKey(proposal.Key))
            {
                throw new ConcurrencyConflictException($"ScaleProposal {proposal.Key} already exists");
            }

            var stored = proposal with
            {
                Metadata = proposal.Metadata with
                {
                    Uid = Guid.NewGuid().ToString(),
                    CreationTimestamp = proposal.Metadata.CreationTimestamp ?? _time.GetUtcNow(),
                    ResourceVersion = _versions.Next(),
                    Generation = 1,
                },
            };
            _items[proposal.Key] = stored;
            return Task.FromResult(stored);
        }
    }

    /// <summary>The next N updates fail with a conflict, as when other writers keep getting there first.</summary>
    public int ConflictsToInject { get; set; }

    public Task<ScaleProposal> UpdateAsync(ScaleProposal proposal, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            if (ConflictsToInject > 0)
            {
                ConflictsToInject--;
                throw new ConcurrencyConflictException($"ScaleProposal {proposal.Key} was modified by another writer (injected)");
            }

            var existing = _items.GetValueOrDefault(proposal.Key)
                ?? throw new KeyNotFoundException($"ScaleProposal {proposal.Key} not found");
            CheckUnchanged(existing, proposal);

            var stored = proposal with
            {
                Metadata = proposal.Metadata with
                {
                    Uid = existing.Metadata.Uid,
                    CreationTimestamp = existing.Metadata.CreationTimestamp,
                    ResourceVersion = _versions.Next(),
                    Generation = existing.Spec == proposal.Spec ? existing.Metadata.Generation : existing.Metadata.Generation + 1,
                },
            };
            _items[proposal.Key] = stored;
            return Task.FromResult(stored);
        }
    }

    public Task DeleteAsync(ScaleProposal proposal, CancellationToken cancellationToken)
    {
        if (proposal.Metadata.ResourceVersion is null)
        {
            throw new ArgumentException($"ScaleProposal {proposal.Key} has no resourceVersion; read it before deleting it.", nameof(proposal));
        }

        lock (_gate)
        {
            if (_items.TryGetValue(proposal.Key, out var existing))
            {
                CheckUnchanged(existing, proposal);
                _items.Remove(proposal.Key);
            }

            return Task.CompletedTask;
        }
    }

    private static void CheckUnchanged(ScaleProposal existing, ScaleProposal proposal)
    {
        if (proposal.Metadata.ResourceVersion != existing.Metadata.ResourceVersion)
        {
            throw new ConcurrencyConflictException(
                $"ScaleProposal {proposal.Key} was modified: resourceVersion is {existing.Metadata.ResourceVersion}, not {proposal.Metadata.ResourceVersion ?? "(none)"}; re-read and decide again");
        }
    }
}
