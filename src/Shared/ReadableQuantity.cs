using System.Globalization;

namespace ScaleControl.Numbers;

/// <summary>
/// A metric value as people read it beside its target (48200 → 48.2k, 1650 → 1650, 0.734 → 0.73); compiled into
/// scalectl (its status and what-if columns) and the server (chat's status), so both show a metric the same way.
/// </summary>
internal static class ReadableQuantity
{
    public static string Format(double value) => Math.Abs(value) switch
    {
        >= 1_000_000 => (value / 1_000_000).ToString("0.##", CultureInfo.InvariantCulture) + "M",
        >= 10_000 => (value / 1_000).ToString("0.#", CultureInfo.InvariantCulture) + "k",
        >= 100 => value.ToString("0", CultureInfo.InvariantCulture),
        _ => value.ToString("0.##", CultureInfo.InvariantCulture),
    };
}
