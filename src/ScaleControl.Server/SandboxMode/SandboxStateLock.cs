using ScaleControl.Server.Hosting;

namespace ScaleControl.Server.SandboxMode;

/// <summary>
/// One sandbox per state directory. Two servers on the same <c>cluster.db</c> would each hold their own copy of the
/// cluster in memory and overwrite each other's writes, and a second one's <c>--reset</c> would delete the first one's
/// files under it. The lock is the operating system's lock on <c>sandbox.lock</c> (<see cref="FileShare.None"/>),
/// released when the process ends, also by kill -9, so a crashed sandbox never leaves a stale lock behind.
/// </summary>
internal sealed class SandboxStateLock : IDisposable
{
    public const string FileName = "sandbox.lock";

    private readonly FileStream _file;

    private SandboxStateLock(FileStream file) => _file = file;

    /// <summary>Takes the directory's lock, or refuses the start when another server holds it.</summary>
    public static SandboxStateLock Acquire(string stateDirectory)
    {
        Directory.CreateDirectory(stateDirectory);
        var path = Path.Combine(stateDirectory, FileName);
        try
        {
            return new SandboxStateLock(new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None));
        }
        catch (IOException e) when (e is not (FileNotFoundException or DirectoryNotFoundException or PathTooLongException))
        {
            // What .NET reports when another process holds the file's lock (the sharing violation; its HResult differs by OS).
            throw new StartRefusedException(
                $"Another ScaleControl sandbox is running on the state in {stateDirectory} (it holds {FileName} there). Stop it, "
                + "or start this one from another directory (the state is kept beside the working directory's .scalecontrol/sandbox/kubeconfig).");
        }
    }

    public void Dispose() => _file.Dispose();
}
