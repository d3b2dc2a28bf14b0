using System.Globalization;

namespace ScaleControl.Core.Simulation;

/// <summary>
/// Demand over time, read from a CSV of <c>seconds,qps</c> rows (linear between rows). Comment lines start with
/// <c>#</c>; <c># spikeStart=600</c> marks when the hot event begins (for time-to-capacity) and
/// <c># kind=quiet</c> marks a trace where the goal is no flapping instead.
/// </summary>
public sealed class TrafficTrace
{
    private readonly double[] _seconds;
    private readonly double[] _qps;

    public TrafficTrace(string name, IReadOnlyList<(double Seconds, double Qps)> points, double? spikeStartSeconds, bool isQuiet)
    {
        if (points.Count < 2)
        {
            throw new ArgumentException($"trace {name} needs at least two points", nameof(points));
        }

        Name = name;
        _seconds = points.Select(p => p.Seconds).ToArray();
        _qps = points.Select(p => p.Qps).ToArray();
        for (var i = 1; i < _seconds.Length; i++)
        {
            if (_seconds[i] <= _seconds[i - 1])
            {
                throw new ArgumentException($"trace {name}: seconds must increase (row {i + 1})", nameof(points));
            }
        }

        SpikeStartSeconds = spikeStartSeconds;
        IsQuiet = isQuiet;
    }

    public string Name { get; }
    public double? SpikeStartSeconds { get; }
    public bool IsQuiet { get; }
    public double DurationSeconds => _seconds[^1];
    public double PeakQps => _qps.Max();

    public double QpsAt(double seconds)
    {
        if (seconds <= _seconds[0])
        {
            return _qps[0];
        }

        if (seconds >= _seconds[^1])
        {
            return _qps[^1];
        }

        var i = Array.BinarySearch(_seconds, seconds);
        if (i >= 0)
        {
            return _qps[i];
        }

        var hi = ~i;
        var lo = hi - 1;
        var f = (seconds - _seconds[lo]) / (_seconds[hi] - _seconds[lo]);
        return _qps[lo] + (f * (_qps[hi] - _qps[lo]));
    }

    public static TrafficTrace Load(string path)
    {
        var points = new List<(double, double)>();
        double? spikeStart = null;
        var quiet = false;
        var lineNumber = 0;
        foreach (var raw in File.ReadLines(path))
        {
            lineNumber++;
            var line = raw.Trim();
            if (line.Length == 0)
            {
                continue;
            }

            if (line.StartsWith('#'))
            {
                var meta = line.TrimStart('#').Trim();
                if (meta.StartsWith("spikeStart=", StringComparison.Ordinal))
                {
                    spikeStart = double.Parse(meta["spikeStart=".Length..], CultureInfo.InvariantCulture);
                }
                else if (meta == "kind=quiet")
                {
                    quiet = true;
                }

                continue;
            }

            var parts = line.Split(',');
            if (parts.Length != 2
                || !double.TryParse(parts[0], NumberStyles.Float, CultureInfo.InvariantCulture, out var s)
                || !double.TryParse(parts[1], NumberStyles.Float, CultureInfo.InvariantCulture, out var q))
            {
                if (points.Count == 0 && line.StartsWith("seconds", StringComparison.OrdinalIgnoreCase))
                {
                    continue; // the header row
                }

                throw new FormatException($"{path}:{lineNumber}: expected 'seconds,qps', got '{line}'");
            }

            points.Add((s, q));
        }

        return new TrafficTrace(Path.GetFileNameWithoutExtension(path), points, spikeStart, quiet);
    }
}
