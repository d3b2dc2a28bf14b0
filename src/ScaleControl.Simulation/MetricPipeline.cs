namespace ScaleControl.Simulation;

/// <summary>
/// The one metric pipeline of a replay, seeded: requests arrive per second as Poisson counts around the trace's
/// demand and feed a counter; Prometheus scrapes the counter every scrape interval at a random phase; a query
/// <c>rate(counter[window])</c> at time t sees the scrapes up to t minus a random query latency. Every controller
/// reads the same pipeline, so their metrics are equally late and equally coarse. Extra trace series (e.g. a
/// leading signal) are scraped as gauges on the same grid (<see cref="ObserveSeries"/>).
/// </summary>
public sealed class MetricPipeline
{
    private readonly TrafficTrace _trace;
    private readonly ReplaySettings _settings;
    private readonly double[] _arrivals;
    private readonly double[] _counter;
    private readonly double _phase;
    private readonly Random _latency;

    public MetricPipeline(TrafficTrace trace, ReplaySettings settings, int seed)
    {
        _trace = trace;
        _settings = settings;
        var random = new Random(seed);
        var seconds = (int)Math.Ceiling(trace.DurationSeconds) + 1;
        _arrivals = new double[seconds];
        _counter = new double[seconds + 1];
        for (var s = 0; s < seconds; s++)
        {
            _arrivals[s] = Poisson(random, trace.QpsAt(s + 0.5));
            _counter[s + 1] = _counter[s] + _arrivals[s];
        }

        _phase = random.NextDouble() * settings.ScrapeIntervalSeconds;
        _latency = new Random(seed * 7919);
    }

    public TrafficTrace Trace => _trace;

    /// <summary>Requests that arrived in second <paramref name="second"/> (the demand the pods must serve).</summary>
    public double ArrivalsAt(int second) => _arrivals[Math.Clamp(second, 0, _arrivals.Length - 1)];

    /// <summary>Highest arrivals over [from, to] seconds: what a perfect forecaster knows.</summary>
    public double MaxArrivals(int from, int to)
    {
        var max = 0.0;
        for (var s = Math.Max(0, from); s <= Math.Min(to, _arrivals.Length - 1); s++)
        {
            max = Math.Max(max, _arrivals[s]);
        }

        return max;
    }

    /// <summary>What <c>rate(counter[window])</c> returns to a query at <paramref name="now"/>, stamped with the query time as Prometheus does.</summary>
    public ObservedMetric Observe(double now)
    {
        var visible = now - NextLatency();
        var last = LastScrape(visible);
        var first = last;
        while (first - _settings.ScrapeIntervalSeconds > visible - _settings.RateWindowSeconds)
        {
            first -= _settings.ScrapeIntervalSeconds;
        }

        if (first == last)
        {
            first = last - _settings.ScrapeIntervalSeconds; // rate() needs two samples: a window under 2 scrapes acts as one interval
        }

        var value = (CounterAt(last) - CounterAt(first)) / (last - first);
        return new ObservedMetric(value, visible);
    }

    /// <summary>An extra series of the trace as a gauge scraped on the same grid, or null when the trace has none.</summary>
    public double? ObserveSeries(string name, double now) => _trace.SeriesAt(name, LastScrape(now - NextLatency()));

    private double LastScrape(double time) =>
        _phase + (Math.Floor((time - _phase) / _settings.ScrapeIntervalSeconds) * _settings.ScrapeIntervalSeconds);

    private double NextLatency() =>
        _settings.MinQueryLatencySeconds + (_latency.NextDouble() * (_settings.MaxQueryLatencySeconds - _settings.MinQueryLatencySeconds));

    /// <summary>The counter at a fractional time (linear inside a second); before the trace it runs at the first second's rate.</summary>
    private double CounterAt(double time)
    {
        if (time <= 0)
        {
            return time * _arrivals[0];
        }

        var s = (int)Math.Floor(time);
        if (s >= _arrivals.Length)
        {
            return _counter[^1] + ((time - _arrivals.Length) * _arrivals[^1]);
        }

        return _counter[s] + ((time - s) * _arrivals[s]);
    }

    /// <summary>Poisson(lambda): Knuth's product method for small means, the normal approximation above 50.</summary>
    private static double Poisson(Random random, double lambda)
    {
        if (lambda <= 0)
        {
            return 0;
        }

        if (lambda > 50)
        {
            return Math.Max(0, Math.Round(lambda + (Math.Sqrt(lambda) * RandomDraws.Normal(random))));
        }

        var limit = Math.Exp(-lambda);
        var k = 0;
        var p = random.NextDouble();
        while (p > limit)
        {
            k++;
            p *= random.NextDouble();
        }

        return k;
    }
}
