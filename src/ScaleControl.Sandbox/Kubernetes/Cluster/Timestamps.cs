using System.Globalization;

namespace ScaleControl.Sandbox.Kubernetes.Cluster;

/// <summary>Timestamps as the apiserver writes them (RFC 3339, whole seconds).</summary>
internal static class Timestamps
{
    public static string Format(DateTimeOffset t) => t.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    public static DateTimeOffset? Parse(string? text) =>
        DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var t) ? t : null;
}
