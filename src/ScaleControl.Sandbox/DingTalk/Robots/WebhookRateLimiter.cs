using System.Collections.Concurrent;

namespace ScaleControl.Sandbox.DingTalk.Robots;

/// <summary>Custom robots: 20 messages per minute; the 21st blocks the robot for 10 minutes (errcode 130101).</summary>
public sealed class WebhookRateLimiter(DingTalkSandboxOptions options, TimeProvider time)
{
    private readonly ConcurrentDictionary<string, RobotWindow> _robots = new(StringComparer.Ordinal);

    public bool TryAcquire(string accessToken)
    {
        var now = time.GetUtcNow();
        var robot = _robots.GetOrAdd(accessToken, _ => new RobotWindow());
        lock (robot)
        {
            if (robot.BlockedUntil > now)
            {
                return false;
            }

            while (robot.Sent.Count > 0 && now - robot.Sent.Peek() >= TimeSpan.FromMinutes(1))
            {
                robot.Sent.Dequeue();
            }

            if (robot.Sent.Count >= options.WebhookMessagesPerMinute)
            {
                robot.BlockedUntil = now + options.WebhookThrottleBlock;
                return false;
            }

            robot.Sent.Enqueue(now);
            return true;
        }
    }

    private sealed class RobotWindow
    {
        public Queue<DateTimeOffset> Sent { get; } = new();
        public DateTimeOffset BlockedUntil { get; set; }
    }
}
