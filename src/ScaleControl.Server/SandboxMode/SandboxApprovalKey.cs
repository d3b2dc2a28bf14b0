using System.Security.Cryptography;
using ScaleControl.Server.Security;

namespace ScaleControl.Server.SandboxMode;

/// <summary>
/// The sandbox's approval signing key, kept next to its cluster state (<c>approval-signing.key</c>): the state
/// survives a restart, even a kill -9, and so must the key that signed the approvals in it. With a key per run, an
/// approval recorded just before a crash was refused after the restart ("no valid signature") instead of applied.
/// <c>--reset</c> makes a new key, as it empties the cluster.
/// </summary>
internal static class SandboxApprovalKey
{
    public const string FileName = "approval-signing.key";

    /// <summary>The key file's path, written with a new random key when missing, unreadable as a key, or on reset.</summary>
    public static string Ensure(string stateDirectory, bool reset)
    {
        var path = Path.Combine(stateDirectory, FileName);
        if (!reset && File.Exists(path) && File.ReadAllText(path).Trim().Length >= ApprovalSigningOptions.MinimumKeyLength)
        {
            return path;
        }

        Directory.CreateDirectory(stateDirectory);
        var temporary = path + ".tmp";
        var options = new FileStreamOptions { Mode = FileMode.Create, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        using (var writer = new StreamWriter(temporary, options))
        {
            writer.Write(Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)));
        }

        File.Move(temporary, path, overwrite: true); // never half a key, also if this process dies while writing
        return path;
    }
}
