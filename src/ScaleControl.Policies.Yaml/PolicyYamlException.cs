using YamlDotNet.Core;

namespace ScaleControl.Policies.Yaml;

/// <summary>A policy file could not be read; the message names the source, line and column.</summary>
public sealed class PolicyYamlException(string message, long? line, long? column, Exception? inner = null)
    : Exception(message, inner)
{
    public long? Line { get; } = line;
    public long? Column { get; } = column;

    internal static PolicyYamlException From(string source, YamlException e)
    {
        // YamlDotNet wraps the useful message (unknown property, bad enum value) one level down.
        var detail = e.InnerException is { } inner && !string.IsNullOrEmpty(inner.Message) ? inner.Message : e.Message;
        var marker = detail.IndexOf("): ", StringComparison.Ordinal);
        if (detail.StartsWith("(Line:", StringComparison.Ordinal) && marker > 0)
        {
            detail = detail[(marker + 3)..];
        }

        var line = e.Start.Line;
        var column = e.Start.Column;
        return new PolicyYamlException($"{source}:{line}:{column}: {detail}", line, column, e);
    }
}
