using System.Collections.Concurrent;

namespace ScaleControl.Sandbox.Kubernetes.Control;

/// <summary>The last requests served, oldest first, for assertions and for deriving RBAC rules.</summary>
internal sealed class RequestJournal(SandboxKubernetesOptions options)
{
    private readonly ConcurrentQueue<JournalEntry> _entries = new();

    public IReadOnlyList<JournalEntry> Entries => [.. _entries];

    public void Record(JournalEntry entry)
    {
        _entries.Enqueue(entry);
        while (_entries.Count > options.JournalLimit && _entries.TryDequeue(out _))
        {
        }
    }

    public void Clear() => _entries.Clear();
}
