using System.Globalization;

namespace ScaleControl.Simulation;

/// <summary>
/// Demand over time: the one reader of the trace format for the replay benchmark, <c>scalectl whatif</c> and the
/// sandbox. A CSV of <c>seconds,qps</c> rows, linear between rows. An optional header row names the columns; any
/// further numeric columns are extra named series (e.g. a leading signal), read with <see cref="SeriesAt"/>.
/// Comment lines start with <c>#</c>; <c># spikeStart=600</c> marks when the hot event begins (for time to
/// capacity) and <c># kind=quiet</c> marks a trace where the goal is no flapping instead.
/// </summary>
public sealed class TrafficTrace
{
    /// <summary>Size limits: a day at one row per second fits with room to spare.</summary>
    public const int MaxRows = 500_000;

    public const int MaxSeries = 8;

    private readonly double[] _seconds;
    private readonly double[] _qps;
    private readonly Dictionary<string, double[]> _series;

    public TrafficTrace(string name, IReadOnlyList<(double Seconds, double Qps)> points, double? spikeStartSeconds, bool isQuiet, IReadOnlyDictionary<string, double[]>? series = null)
    {
        if (points.Count < 2)
        {
            throw new ArgumentException($"trace {name} needs at least two rows", nameof(points));
        }

        Name = name;
        _seconds = [.. points.Select(p => p.Seconds)];
        _qps = [.. points.Select(p => p.Qps)];
        for (var i = 1; i < _seconds.Length; i++)
        {
            if (_seconds[i] <= _seconds[i - 1])
            {
                throw new ArgumentException($"trace {name}: seconds must increase (row {i + 1})", nameof(points));
            }
        }

        _series = new Dictionary<string, double[]>(StringComparer.Ordinal);
        foreach (var (key, values) in series ?? new Dictionary<string, double[]>())
        {
            if (values.Length != _seconds.Length)
            {
                throw new ArgumentException($"trace {name}: series {key} has {values.Length} values for {_seconds.Length} rows", nameof(series));
            }

            _series[key] = values;
        }

        SpikeStartSeconds = spikeStartSeconds;
        IsQuiet = isQuiet;
        PeakQps = _qps.Max();
    }

    public string Name { get; }

    public double? SpikeStartSeconds { get; }

    public bool IsQuiet { get; }

    public double DurationSeconds => _seconds[^1];

    public double PeakQps { get; }

    /// <summary>The extra named series beside the demand (header names of the extra columns).</summary>
    public IReadOnlyCollection<string> SeriesNames => _series.Keys;

    /// <summary>Demand at <paramref name="seconds"/>: linear between rows, the first/last row outside the trace.</summary>
    public double QpsAt(double seconds) => Interpolate(_qps, seconds);

    /// <summary>An extra series at <paramref name="seconds"/>, or null when the trace has no such series.</summary>
    public double? SeriesAt(string name, double seconds) => _series.TryGetValue(name, out var values) ? Interpolate(values, seconds) : null;

    public static TrafficTrace Load(string path) => Parse(Path.GetFileNameWithoutExtension(path), File.ReadLines(path));

    /// <exception cref="FormatException">A row, header or metadata line that does not follow the format; the message names the line.</exception>
    public static TrafficTrace Parse(string name, IEnumerable<string> lines)
    {
        var points = new List<(double, double)>();
        var extra = new List<List<double>>();
        string[]? header = null;
        double? spikeStart = null;
        var quiet = false;
        var lineNumber = 0;
        foreach (var raw in lines)
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
                    spikeStart = double.TryParse(meta["spikeStart=".Length..], NumberStyles.Float, CultureInfo.InvariantCulture, out var s) && s >= 0 && double.IsFinite(s)
                        ? s
                        : throw Error(name, lineNumber, $"spikeStart must be a non-negative number of seconds, got '{meta}'");
                }
                else if (meta == "kind=quiet")
                {
                    quiet = true;
                }

                continue;
            }

            var cells = line.Split(',');
            if (points.Count == 0 && header is null && !double.TryParse(cells[0], NumberStyles.Float, CultureInfo.InvariantCulture, out _))
            {
                header = ReadHeader(name, lineNumber, cells);
                continue;
            }

            if (cells.Length < 2
                || !double.TryParse(cells[0], NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds)
                || !double.TryParse(cells[1], NumberStyles.Float, CultureInfo.InvariantCulture, out var qps))
            {
                throw Error(name, lineNumber, $"expected 'seconds,qps', got '{Shorten(line)}'");
            }

            if (seconds < 0 || qps < 0 || !double.IsFinite(seconds) || !double.IsFinite(qps))
            {
                throw Error(name, lineNumber, "seconds and qps must be non-negative numbers");
            }

            if (points.Count > 0 && seconds <= points[^1].Item1)
            {
                throw Error(name, lineNumber, $"seconds must increase ({seconds.ToString(CultureInfo.InvariantCulture)} after {points[^1].Item1.ToString(CultureInfo.InvariantCulture)})");
            }

            if (points.Count >= MaxRows)
            {
                throw Error(name, lineNumber, $"more than {MaxRows} rows");
            }

            ReadExtra(name, lineNumber, cells, extra, first: points.Count == 0);
            points.Add((seconds, qps));
        }

        if (points.Count < 2)
        {
            throw new FormatException($"trace {name} needs at least two rows, has {points.Count}");
        }

        var series = new Dictionary<string, double[]>(StringComparer.Ordinal);
        for (var i = 0; i < extra.Count; i++)
        {
            series[header is { } h && h.Length > i + 2 ? h[i + 2] : $"column{i + 3}"] = [.. extra[i]];
        }

        return new TrafficTrace(name, points, spikeStart, quiet, series);
    }

    private static string[] ReadHeader(string name, int lineNumber, string[] cells)
    {
        var names = cells.Select(c => c.Trim()).ToArray();
        if (names.Length < 2 || names.Length > MaxSeries + 2)
        {
            throw Error(name, lineNumber, $"the header must name 2 to {MaxSeries + 2} columns (seconds, qps, then extra series)");
        }

        if (names.Skip(2).Any(n => n.Length is 0 or > 64) || names.Skip(2).Distinct(StringComparer.Ordinal).Count() != names.Length - 2)
        {
            throw Error(name, lineNumber, "extra columns need distinct names of 1 to 64 characters");
        }

        return names;
    }

    private static void ReadExtra(string name, int lineNumber, string[] cells, List<List<double>> extra, bool first)
    {
        if (cells.Length - 2 > MaxSeries)
        {
            throw Error(name, lineNumber, $"at most {MaxSeries} extra columns");
        }

        if (first)
        {
            for (var i = 2; i < cells.Length; i++)
            {
                extra.Add([]);
            }
        }

        if (cells.Length - 2 != extra.Count)
        {
            throw Error(name, lineNumber, $"expected {extra.Count + 2} columns like the rows before, got {cells.Length}");
        }

        for (var i = 2; i < cells.Length; i++)
        {
            if (!double.TryParse(cells[i], NumberStyles.Float, CultureInfo.InvariantCulture, out var v) || !double.IsFinite(v))
            {
                throw Error(name, lineNumber, $"column {i + 1} must be a number, got '{Shorten(cells[i])}'");
            }

            extra[i - 2].Add(v);
        }
    }

    private double Interpolate(double[] values, double seconds)
    {
        if (seconds <= _seconds[0])
        {
            return values[0];
        }

        if (seconds >= _seconds[^1])
        {
            return values[^1];
        }

        var i = Array.BinarySearch(_seconds, seconds);
        if (i >= 0)
        {
            return values[i];
        }

        var hi = ~i;
        var lo = hi - 1;
        var f = (seconds - _seconds[lo]) / (_seconds[hi] - _seconds[lo]);
        return values[lo] + (f * (values[hi] - values[lo]));
    }

    private static FormatException Error(string name, int lineNumber, string message) => new($"trace {name}, line {lineNumber}: {message}");

    private static string Shorten(string text) => text.Length <= 80 ? text : text[..80] + "...";
}
