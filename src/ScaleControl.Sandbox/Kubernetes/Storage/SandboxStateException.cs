namespace ScaleControl.Sandbox.Kubernetes.Storage;

/// <summary>
/// A kept state file that cannot be read (truncated, overwritten, not SQLite, a row that is not JSON). The sandbox
/// refuses to start rather than begin empty or without the unreadable part, and leaves the file as it was.
/// </summary>
public sealed class SandboxStateException(string path, string problem, Exception inner)
    : Exception($"The sandbox's kept state {path} cannot be read: {problem.TrimEnd('.')}. Nothing was changed: move the file aside "
        + "to keep it, or start with --reset (deletes cluster.db, dingtalk.db and traffic.db) for a fresh world.", inner)
{
    public string Path { get; } = path;
}
