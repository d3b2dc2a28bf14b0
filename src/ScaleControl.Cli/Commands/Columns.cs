using System.Globalization;
using ScaleControl.Cli.Api;
using ScaleControl.Numbers;

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

    /// <summary>Metric values as people read them: 48200 → 48.2k, 0.734 → 0.73; an empty cell when there is none.</summary>
    public static string Quantity(double? value) => value is { } v && !double.IsNaN(v) ? ReadableQuantity.Format(v) : "";

    public static string Truncate(string? text, int max) =>
        text is null || text.Length <= max ? text ?? "" : string.Concat(text.AsSpan(0, max - 1), "…");
}
