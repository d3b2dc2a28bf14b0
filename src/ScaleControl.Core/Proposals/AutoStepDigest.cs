using ScaleControl.Core.Policies;
using ScaleControl.Core.Ports;

namespace ScaleControl.Core.Proposals;

/// <summary>
/// Automatic steps whose notices go to a custom-robot webhook, which cannot carry a card to update in place
/// (<see cref="AutoNoticeRules"/>): the first step of a workload (or policy group) is posted at once; steps within
/// <c>interval</c> of the last post are held and posted together as one message when the interval has passed
/// (<see cref="Due"/>, asked every tick). At most one message per key per interval. Memory of one replica: held steps
/// are lost on a leader change (the Kubernetes Events keep every step).
/// </summary>
public sealed class AutoStepDigest(TimeSpan interval)
{
    private readonly Dictionary<string, Entry> _entries = new(StringComparer.Ordinal);

    /// <summary>One applied automatic step, with where its notice goes.</summary>
    public sealed record Step(WorkloadRef Target, int From, int To, string Reason, string Proposal, DateTimeOffset At, NotificationSpec Route);

    private sealed class Entry
    {
        public DateTimeOffset PostedAt { get; set; }
        public List<Step> Held { get; } = [];
    }

    /// <summary>The steps to post now (this one alone), or empty when it is held for the next digest.</summary>
    public IReadOnlyList<Step> Add(string key, Step step)
    {
        lock (_entries)
        {
            if (_entries.TryGetValue(key, out var entry) && step.At - entry.PostedAt < interval)
            {
                entry.Held.Add(step);
                return [];
            }

            _entries[key] = new Entry { PostedAt = step.At };
            return [step];
        }
    }

    /// <summary>Every key's held steps whose interval since the last post has passed, oldest first; forgets idle keys.</summary>
    public IReadOnlyList<IReadOnlyList<Step>> Due(DateTimeOffset now)
    {
        lock (_entries)
        {
            var due = new List<IReadOnlyList<Step>>();
            foreach (var (key, entry) in _entries.ToList())
            {
                if (now - entry.PostedAt < interval)
                {
                    continue;
                }

                if (entry.Held.Count == 0)
                {
                    _entries.Remove(key);
                    continue;
                }

                due.Add([.. entry.Held]);
                entry.Held.Clear();
                entry.PostedAt = now;
            }

            return due;
        }
    }
}
