namespace ScaleControl.DingTalk.Chat;

/// <summary>
/// How many messages one person may send the robot a minute (a sliding window per sender, on this replica). Each
/// message read is a command run and an answer posted, in the group through the same robot whose messages DingTalk
/// throttles: one person pasting a command in a loop (or a script) used to hold everyone else's answers back, and
/// every one ran. Over the limit, the first message gets one private answer saying so and when to send again; the
/// rest of that minute are not read and not answered (a refusal each would be the flood again). Not
/// System.Threading.RateLimiting's sliding window: it keeps its own clock (no TimeProvider) and cannot tell the first
/// refusal from the rest.
/// </summary>
public sealed class ChatRateLimit(TimeProvider time)
{
    private static readonly TimeSpan s_window = TimeSpan.FromMinutes(1);

    /// <summary>Senders remembered before the idle ones are forgotten (each holds at most the limit's timestamps).</summary>
    private const int MaxSenders = 10_000;

    private readonly Dictionary<string, Sender> _senders = new(StringComparer.Ordinal);

    public enum Verdict
    {
        /// <summary>Within the limit: read and answer it.</summary>
        Read,

        /// <summary>The first over the limit in this window: answer privately that messages are not read until <see cref="Admission.Until"/>.</summary>
        Refuse,

        /// <summary>Over the limit and told already: neither read nor answered.</summary>
        Ignore,
    }

    public readonly record struct Admission(Verdict Verdict, DateTimeOffset Until);

    /// <summary>Counts a message from <paramref name="sender"/> against <paramref name="perMinute"/>.</summary>
    public Admission Admit(string sender, int perMinute)
    {
        var now = time.GetUtcNow();
        lock (_senders)
        {
            if (!_senders.TryGetValue(sender, out var state))
            {
                Forget(now);
                _senders[sender] = state = new Sender();
            }

            while (state.Read.Count > 0 && now - state.Read.Peek() >= s_window)
            {
                state.Read.Dequeue();
            }

            if (state.Read.Count < perMinute)
            {
                state.Read.Enqueue(now);
                state.Told = false;
                return new(Verdict.Read, now);
            }

            var until = state.Read.Peek() + s_window;
            var told = state.Told;
            state.Told = true;
            return new(told ? Verdict.Ignore : Verdict.Refuse, until);
        }
    }

    /// <summary>Drops the senders silent for a whole window once too many are remembered.</summary>
    private void Forget(DateTimeOffset now)
    {
        if (_senders.Count < MaxSenders)
        {
            return;
        }

        foreach (var idle in _senders.Where(s => s.Value.Read.Count == 0 || now - s.Value.Read.Last() >= s_window).Select(s => s.Key).ToList())
        {
            _senders.Remove(idle);
        }
    }

    private sealed class Sender
    {
        public Queue<DateTimeOffset> Read { get; } = new();

        public bool Told { get; set; }
    }
}
