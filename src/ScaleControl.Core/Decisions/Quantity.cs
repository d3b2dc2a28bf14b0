using System.Globalization;
using System.Text;

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

    /// <summary>The same text as <see cref="Format"/>, appended without intermediate strings (hot path).</summary>
    public static StringBuilder Append(StringBuilder builder, double value)
    {
        var c = CultureInfo.InvariantCulture;
        var abs = Math.Abs(value);
        return abs switch
        {
            >= 1e9 => AppendScaled(builder, value / 1e9, 'G'),
            >= 1e6 => AppendScaled(builder, value / 1e6, 'M'),
            >= 1e3 => AppendScaled(builder, value / 1e3, 'k'),
            >= 100 => builder.Append(c, $"{value:0}"),
            >= 10 => builder.Append(c, $"{value:0.#}"),
            _ => builder.Append(c, $"{value:0.##}"),
        };
    }

    private static StringBuilder AppendScaled(StringBuilder builder, double value, char suffix) =>
        Math.Abs(value) >= 100
            ? builder.Append(CultureInfo.InvariantCulture, $"{value:0}{suffix}")
            : builder.Append(CultureInfo.InvariantCulture, $"{value:0.#}{suffix}");

    private static string Scaled(double value, string suffix) =>
        value.ToString(Math.Abs(value) >= 100 ? "0" : "0.#", CultureInfo.InvariantCulture) + suffix;
}
