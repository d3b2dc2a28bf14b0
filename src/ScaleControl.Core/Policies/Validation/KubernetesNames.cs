using System.Text.RegularExpressions;

namespace ScaleControl.Core.Policies.Validation;

/// <summary>Kubernetes object-name rules (DNS-1123), as the API server enforces them.</summary>
public static partial class KubernetesNames
{
    public static bool IsDnsLabel(string? value) =>
        value is { Length: > 0 and <= 63 } && DnsLabel().IsMatch(value);

    public static bool IsDnsSubdomain(string? value) =>
        value is { Length: > 0 and <= 253 } && DnsSubdomain().IsMatch(value);

    /// <summary>A label or annotation key: an optional DNS subdomain prefix and '/', then a name of at most 63 characters.</summary>
    public static bool IsQualifiedName(string? value)
    {
        if (string.IsNullOrEmpty(value))
        {
            return false;
        }

        var slash = value.IndexOf('/', StringComparison.Ordinal);
        var name = slash < 0 ? value : value[(slash + 1)..];
        return (slash < 0 || IsDnsSubdomain(value[..slash])) && name.Length is > 0 and <= 63 && LabelValue().IsMatch(name);
    }

    /// <summary>A label's value: empty, or at most 63 letters, digits, '-', '_' and '.', starting and ending with a letter or digit.</summary>
    public static bool IsLabelValue(string? value) =>
        value is not null && (value.Length == 0 || (value.Length <= 63 && LabelValue().IsMatch(value)));

    [GeneratedRegex("^[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$")]
    private static partial Regex LabelValue();

    [GeneratedRegex("^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")]
    private static partial Regex DnsLabel();

    [GeneratedRegex("^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")]
    private static partial Regex DnsSubdomain();
}
