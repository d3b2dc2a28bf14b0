using System.Globalization;
using ScaleControl.Cli.Api;

namespace ScaleControl.Cli.Commands;

/// <summary>Cell formatting shared by the tables.</summary>
internal static class Columns
{
    /// <summary>Headers with NAMESPACE in front when listing across namespaces, as kubectl does with -A.</summary>
    public static string[] Headers(bool withNamespace, params string[] headers) =>
        withNamespace ? ["NAMESPACE", .. headers] : headers;

    /// <summary>A row with its namespace in front when listing across namespaces.</summary>
    public static string?[] Row(bool withNamespace, string? @namespace, params string?[] cells) =>
        withNamespace ? [@namespace, .. cells] : cells;

    public static string Target(Target? target) => target is null ? "" : $"{target.Kind}/{target.Name}";

    /// <summary>
    /// "14:01:10Z": a time of day in UTC, marked so. scalectl writes every time in UTC with its "Z" (full times as
    /// <c>2026-12-05 14:01:10Z</c>), as kubectl and the server's own messages do, whatever the terminal's zone: a bare
    /// 14:01:10 read in Shanghai is eight hours off.
    /// </summary>
    public static string UtcClock(DateTimeOffset at) => at.UtcDateTime.ToString("HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    public static string Number(int? value) => value?.ToString(CultureInfo.InvariantCulture) ?? "";

    /// <summary>Metric values as people read them: 48200 → 48.2k, 0.734 → 0.73.</summary>
    public static string Quantity(double? value)
    {
        if (value is not { } v || double.IsNaN(v))
        {
            return "";
        }

        var abs = Math.Abs(v);
        return abs switch
        {
            >= 1_000_000 => (v / 1_000_000).ToString("0.##", CultureInfo.InvariantCulture) + "M",
            >= 10_000 => (v / 1_000).ToString("0.#", CultureInfo.InvariantCulture) + "k",
            >= 100 => v.ToString("0", CultureInfo.InvariantCulture),
            _ => v.ToString("0.##", CultureInfo.InvariantCulture),
        };
    }

    public static string Truncate(string? text, int max) =>
        text is null || text.Length <= max ? text ?? "" : string.Concat(text.AsSpan(0, max - 1), "…");
}
