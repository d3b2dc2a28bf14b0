using System.Text.RegularExpressions;

namespace ScaleControl.Core.Policies.Validation;

/// <summary>Kubernetes object-name rules (DNS-1123), as the API server enforces them.</summary>
public static partial class KubernetesNames
{
    public static bool IsDnsLabel(string? value) =>
        value is { Length: > 0 and <= 63 } && DnsLabel().IsMatch(value);

    public static bool IsDnsSubdomain(string? value) =>
        value is { Length: > 0 and <= 253 } && DnsSubdomain().IsMatch(value);

    [GeneratedRegex("^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")]
    private static partial Regex DnsLabel();

    [GeneratedRegex("^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")]
    private static partial Regex DnsSubdomain();
}
