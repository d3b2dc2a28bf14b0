using ScaleControl.Cli.Api;

namespace ScaleControl.Cli.Formatting;

/// <summary>
/// What scalectl reads of a file (how far its YAML may nest and expand is <see cref="ScaleControl.Yaml.YamlBounds"/>:
/// a file of 100,000 '[' ended scalectl with "Stack overflow", a 400-byte "billion laughs" ran without end).
/// </summary>
internal static class YamlLimits
{
    /// <summary>The server's body limit: a file that could never be sent is refused before it is read whole.</summary>
    public const int MaxFileBytes = 1024 * 1024;

    /// <summary>How errors name <paramref name="path"/>: <c>-</c> is stdin.</summary>
    public static string NameOf(string path) => path == "-" ? "stdin" : path;

    /// <summary>Reads a file, or stdin for <c>-</c>, up to <see cref="MaxFileBytes"/> (so <c>/dev/zero</c> ends too).</summary>
    /// <exception cref="CliException">The file is larger, or cannot be read.</exception>
    public static string ReadText(string path, TextReader stdin)
    {
        try
        {
            using var reader = path == "-" ? null : new StreamReader(path);
            var source = reader ?? stdin;
            var buffer = new char[MaxFileBytes + 1];
            var read = 0;
            while (read < buffer.Length && source.Read(buffer, read, buffer.Length - read) is var n and > 0)
            {
                read += n;
            }

            return read > MaxFileBytes
                ? throw new CliException($"{NameOf(path)} is larger than {MaxFileBytes / 1024} KiB (the server's limit for a request)")
                : new string(buffer, 0, read);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new CliException($"cannot read {NameOf(path)}: {e.Message}", e);
        }
    }
}
