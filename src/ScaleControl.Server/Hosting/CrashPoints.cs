using System.Diagnostics;

namespace ScaleControl.Server.Hosting;

/// <summary>
/// Test hook for the crash campaign: <c>ScaleControl:Testing:CrashAt=&lt;point&gt;</c> kills this process (SIGKILL, no
/// graceful stop, nothing flushed) the first time the named point is reached. Unset in production: then it does nothing.
/// The points lie between "approval accepted" and "card updated", where a crash must lose nothing.
/// </summary>
public sealed class CrashPoints(IConfiguration configuration)
{
    /// <summary>The approval is recorded durably (the proposal is Applying, claimed by this replica); nothing written to the workload yet.</summary>
    public const string ApprovalRecorded = "approval-recorded";

    /// <summary>The scale write succeeded; the proposal does not say so yet.</summary>
    public const string ScaleWritten = "scale-written";

    /// <summary>The card shows the outcome; the proposal does not say so yet.</summary>
    public const string CardUpdated = "card-updated";

    /// <summary>The outcome is recorded on the proposal; the caller has not been answered.</summary>
    public const string OutcomeRecorded = "outcome-recorded";

    public static readonly IReadOnlyList<string> All = [ApprovalRecorded, ScaleWritten, CardUpdated, OutcomeRecorded];

    private readonly string? _crashAt = configuration["ScaleControl:Testing:CrashAt"];

    public void Reached(string point)
    {
        if (string.Equals(_crashAt, point, StringComparison.Ordinal))
        {
            Console.Error.WriteLine($"crash point {point} reached: killing the process");
            Process.GetCurrentProcess().Kill();
        }
    }
}
