namespace ScaleControl.Sandbox.DingTalk.Platform;

/// <summary>A version number bumped on every visible change (card, message, DING) so the phone page can wait for the next one.</summary>
public sealed class ChangeFeed
{
    private readonly Lock _lock = new();
    private TaskCompletionSource _next = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private long _version;

    public long Version => Interlocked.Read(ref _version);

    public void Publish()
    {
        TaskCompletionSource current;
        lock (_lock)
        {
            _version++;
            current = _next;
            _next = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }

        current.SetResult();
    }

    /// <summary>Completes at the next change after <paramref name="seen"/> (at once if one already happened).</summary>
    public Task WaitForChangeAsync(long seen, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            return _version > seen ? Task.CompletedTask : _next.Task.WaitAsync(cancellationToken);
        }
    }
}
