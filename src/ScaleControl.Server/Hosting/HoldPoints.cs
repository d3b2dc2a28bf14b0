namespace ScaleControl.Server.Hosting;

/// <summary>
/// Test hook: <c>ScaleControl:Testing:HoldAt</c> names a point where the process stops once, as a long GC pause or a
/// starved node would, until the file <c>ScaleControl:Testing:HoldUntilFile</c> exists. It prints
/// "hold point … reached" so a test knows the process is inside the step. Unset in production.
/// </summary>
public sealed class HoldPoints(IConfiguration configuration)
{
    /// <summary>A control-loop tick has decided to act on a policy and has not written anything for it yet.</summary>
    public const string TickActing = "tick-acting";

    /// <summary>An apply holds the proposal's claim (Applying) and is about to write the scale.</summary>
    public const string ScaleWriting = "scale-writing";

    private readonly string? _holdAt = configuration["ScaleControl:Testing:HoldAt"];
    private readonly string? _releaseFile = configuration["ScaleControl:Testing:HoldUntilFile"];
    private int _held;

    public async Task ReachedAsync(string point, CancellationToken cancellationToken)
    {
        if (!string.Equals(_holdAt, point, StringComparison.Ordinal) || _releaseFile is null || Interlocked.Exchange(ref _held, 1) == 1)
        {
            return;
        }

        Console.Out.WriteLine($"hold point {point} reached: waiting for {_releaseFile}");
        while (!File.Exists(_releaseFile))
        {
            await Task.Delay(TimeSpan.FromMilliseconds(50), cancellationToken);
        }

        Console.Out.WriteLine($"hold point {point} released");
    }
}
