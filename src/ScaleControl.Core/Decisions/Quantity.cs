using System.Globalization;

namespace ScaleControl.Core.Decisions;

/// <summary>Short human numbers for reasons and cards: 48200 → "48.2k", 0.734 → "0.73".</summary>
public static class Quantity
{
    public static string Format(double value)
    {
        var abs = Math.Abs(value);
        return abs switch
        {
            >= 1e9 => Scaled(value / 1e9, "G"),
            >= 1e6 => Scaled(value / 1e6, "M"),
            >= 1e3 => Scaled(value / 1e3, "k"),
            >= 100 => value.ToString("0", CultureInfo.InvariantCulture),
            >= 10 => value.ToString("0.#", CultureInfo.InvariantCulture),
            _ => value.ToString("0.##", CultureInfo.InvariantCulture),
        };
    }

    private static string Scaled(double value, string suffix) =>
        value.ToString(Math.Abs(value) >= 100 ? "0" : "0.#", CultureInfo.InvariantCulture) + suffix;
}
