namespace ScaleControl.Cli.Formatting;

/// <summary>A one-line chart of a series (▁▂▃▄▅▆▇█), squeezed to a width by taking each bucket's maximum.</summary>
internal static class Sparkline
{
    private const string Bars = "▁▂▃▄▅▆▇█";

    public static string Render(IReadOnlyList<double?> values, int width = 60)
    {
        if (values.Count == 0)
        {
            return "";
        }

        var buckets = Math.Min(width, values.Count);
        var points = new double?[buckets];
        for (var b = 0; b < buckets; b++)
        {
            var start = b * values.Count / buckets;
            var end = Math.Max(start + 1, (b + 1) * values.Count / buckets);
            var known = values.Skip(start).Take(end - start).Where(v => v is { } x && double.IsFinite(x)).ToList();
            points[b] = known.Count == 0 ? null : known.Max();
        }

        var present = points.OfType<double>().ToList();
        if (present.Count == 0)
        {
            return new string(' ', buckets);
        }

        var (min, max) = (present.Min(), present.Max());
        return string.Concat(points.Select(p => p is not { } v
            ? ' '
            : max == min ? Bars[0] : Bars[(int)Math.Round((v - min) / (max - min) * (Bars.Length - 1))]));
    }
}
