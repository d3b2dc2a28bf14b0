namespace ScaleControl.Kubernetes.Client;

/// <summary>
/// A token bucket (rate + burst, as client-go's QPS/Burst) whose waiters are served by priority: when tokens are
/// short, a queued scale write goes before any queued status write, which goes before any queued read. Within one
/// priority, first come first served. System.Threading.RateLimiting has no priorities, hence this small class.
/// </summary>
public sealed class PriorityTokenBucket : IDisposable
{
    private readonly Lock _lock = new();
    private readonly double _tokensPerSecond;
    private readonly int _burst;
    private readonly TimeProvider _time;
    private readonly Queue<TaskCompletionSource>[] _waiters;
    private readonly ITimer _timer;
    private double _tokens;
    private long _lastRefill;
    private bool _timerArmed;

    public PriorityTokenBucket(double tokensPerSecond, int burst, TimeProvider time)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(tokensPerSecond);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(burst);
        _tokensPerSecond = tokensPerSecond;
        _burst = burst;
        _time = time;
        _tokens = burst;
        _lastRefill = time.GetTimestamp();
        _waiters = Enum.GetValues<RequestPriority>().Select(_ => new Queue<TaskCompletionSource>()).ToArray();
        _timer = time.CreateTimer(_ => Release(), null, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
    }

    /// <summary>Requests that had to queue for a token, per priority (for tests and figures).</summary>
    public long[] QueuedCounts { get; } = new long[Enum.GetValues<RequestPriority>().Length];

    public ValueTask AcquireAsync(RequestPriority priority, CancellationToken cancellationToken)
    {
        TaskCompletionSource waiter;
        lock (_lock)
        {
            Refill();
            if (_tokens >= 1 && !AnyWaiterAtOrAbove(priority))
            {
                _tokens -= 1;
                return ValueTask.CompletedTask;
            }

            waiter = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _waiters[(int)priority].Enqueue(waiter);
            QueuedCounts[(int)priority]++;
            ArmTimer();
        }

        return WaitAsync(waiter, cancellationToken);
    }

    private static async ValueTask WaitAsync(TaskCompletionSource waiter, CancellationToken cancellationToken)
    {
        // A cancelled waiter stays queued but completed; Release skips it.
        await using var registration = cancellationToken.Register(() => waiter.TrySetCanceled(cancellationToken));
        await waiter.Task.ConfigureAwait(false);
    }

    private void Release()
    {
        lock (_lock)
        {
            _timerArmed = false;
            Refill();
            foreach (var queue in _waiters)
            {
                while (queue.Count > 0 && _tokens >= 1)
                {
                    if (queue.Dequeue().TrySetResult())
                    {
                        _tokens -= 1;
                    }
                }
            }

            if (_waiters.Any(q => q.Count > 0))
            {
                ArmTimer();
            }
        }
    }

    private bool AnyWaiterAtOrAbove(RequestPriority priority)
    {
        for (var i = 0; i <= (int)priority; i++)
        {
            if (_waiters[i].Count > 0)
            {
                return true;
            }
        }

        return false;
    }

    private void Refill()
    {
        var now = _time.GetTimestamp();
        var elapsed = _time.GetElapsedTime(_lastRefill, now).TotalSeconds;
        _lastRefill = now;
        _tokens = Math.Min(_burst, _tokens + (elapsed * _tokensPerSecond));
    }

    private void ArmTimer()
    {
        if (_timerArmed)
        {
            return;
        }

        var missing = Math.Max(0, 1 - _tokens);
        var due = TimeSpan.FromSeconds(Math.Max(missing / _tokensPerSecond, 0.001));
        _timer.Change(due, Timeout.InfiniteTimeSpan);
        _timerArmed = true;
    }

    public void Dispose() => _timer.Dispose();
}
