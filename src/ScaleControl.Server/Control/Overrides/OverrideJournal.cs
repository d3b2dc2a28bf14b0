using System.Collections.Concurrent;
using ScaleControl.Core.Proposals;

namespace ScaleControl.Server.Control.Overrides;

/// <summary>An override that is not a scale action (freeze/unfreeze), kept for the history view.</summary>
/// <param name="Reason">The operator's <c>--reason</c>, when one was given.</param>
public sealed record OverrideEntry(DateTimeOffset Time, string Namespace, string Policy, string Workload, string Kind, string By, string Message, ApprovalChannel Channel = ApprovalChannel.Api, string? Reason = null);

/// <summary>
/// Recent freezes and unfreezes on this replica (bounded). Pins are scale actions and live on ScaleProposals;
/// freezes also stay visible on the policy itself (spec.freeze) and as Kubernetes Events.
/// </summary>
public sealed class OverrideJournal
{
    private const int Capacity = 1000;
    private readonly ConcurrentQueue<OverrideEntry> _entries = new();

    public void Add(OverrideEntry entry)
    {
        _entries.Enqueue(entry);
        while (_entries.Count > Capacity && _entries.TryDequeue(out _))
        {
        }
    }

    public IReadOnlyList<OverrideEntry> Entries => [.. _entries];
}
