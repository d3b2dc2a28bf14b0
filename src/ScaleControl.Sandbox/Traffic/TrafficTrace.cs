using System.Globalization;

namespace ScaleControl.Sandbox.Traffic;

/// <summary>
/// A recorded demand curve: a CSV of <c>seconds,qps</c> rows (offset from the start, requests per second).
/// A header row, blank lines, <c>#</c> comments and extra columns are ignored; between rows demand is interpolated.
/// </summary>
public sealed class TrafficTrace
{
    private readonly (double Seconds, double Qps)[] _points;

    private TrafficTrace(string name, (double, double)[] points)
    {
        Name = name;
        _points = points;
    }

    public string Name { get; }

    public double DurationSeconds => _points[^1].Seconds;

    public static TrafficTrace Load(string path) => Parse(Path.GetFileNameWithoutExtension(path), File.ReadAllLines(path));

    public static TrafficTrace Parse(string name, IEnumerable<string> lines)
    {
        var points = new List<(double, double)>();
        var lineNumber = 0;
        foreach (var raw in lines)
        {
            lineNumber++;
            var line = raw.Trim();
            if (line.Length == 0 || line.StartsWith('#'))
                continue;

            var cells = line.Split(',');
            var isNumber = double.TryParse(cells[0], NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds);
            if (!isNumber && points.Count == 0 && !char.IsDigit(cells[0].TrimStart('-').FirstOrDefault()))
                continue; // header row
            if (!isNumber || cells.Length < 2 || !double.TryParse(cells[1], NumberStyles.Float, CultureInfo.InvariantCulture, out var qps))
                throw new FormatException($"trace {name}, line {lineNumber}: expected 'seconds,qps', got '{line}'");
            if (seconds < 0 || qps < 0 || !double.IsFinite(seconds) || !double.IsFinite(qps))
                throw new FormatException($"trace {name}, line {lineNumber}: seconds and qps must be non-negative numbers");
            if (points.Count > 0 && seconds <= points[^1].Item1)
                throw new FormatException($"trace {name}, line {lineNumber}: seconds must increase ({seconds} after {points[^1].Item1})");
            points.Add((seconds, qps));
        }

        if (points.Count == 0)
            throw new FormatException($"trace {name} has no rows");
        return new TrafficTrace(name, [.. points]);
    }

    /// <summary>Demand <paramref name="seconds"/> into the trace, or null once the trace has ended.</summary>
    public double? QpsAt(double seconds)
    {
        if (seconds < 0 || seconds > DurationSeconds)
            return null;
        var index = Array.FindIndex(_points, p => p.Seconds >= seconds);
        if (index <= 0)
            return _points[0].Qps;
        var (s0, q0) = _points[index - 1];
        var (s1, q1) = _points[index];
        return q0 + (q1 - q0) * (seconds - s0) / (s1 - s0);
    }
}
