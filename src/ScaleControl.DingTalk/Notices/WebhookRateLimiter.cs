namespace ScaleControl.DingTalk.Notices;

/// <summary>
/// A sliding one-minute window per webhook: DingTalk blocks a custom robot for 10 minutes once it sends more than
/// 20 messages a minute, so we stay under the limit ourselves and drop the excess.
/// </summary>
public sealed class WebhookRateLimiter(TimeProvider timeProvider)
{
    private static readonly TimeSpan s_window = TimeSpan.FromMinutes(1);
    private readonly Dictionary<string, Queue<DateTimeOffset>> _sent = new(StringComparer.Ordinal);

    public bool TryAcquire(string webhook, int perMinute)
    {
        var now = timeProvider.GetUtcNow();
        lock (_sent)
        {
            if (!_sent.TryGetValue(webhook, out var times))
            {
                _sent[webhook] = times = new Queue<DateTimeOffset>();
            }

            while (times.Count > 0 && now - times.Peek() >= s_window)
            {
                times.Dequeue();
            }

            if (times.Count >= perMinute)
            {
                return false;
            }

            times.Enqueue(now);
            return true;
        }
    }
}
