using Microsoft.Extensions.Options;
using ScaleControl.Simulation;

namespace ScaleControl.Sandbox.Traffic;

/// <summary>
/// The sandbox's traffic: per service a daily baseline (or a replayed trace), seeded noise, hot events and push
/// campaigns, run through a capacity model fed by the sandbox cluster's ready pods. Time is simulated in whole seconds,
/// lazily up to the injected clock's "now" whenever something reads it, so tests with a fake clock are exact. With a
/// state directory, what was started (hot events, pushes, replays) is kept and played on after a restart.
/// </summary>
public sealed class TrafficSimulator : ISandboxWorkloadLoad, IDisposable
{
    private static readonly TimeSpan s_step = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan s_eventRetention = TimeSpan.FromHours(1);

    private readonly Lock _lock = new();
    private readonly SandboxTrafficOptions _options;
    private readonly TimeProvider _time;
    private readonly ISandboxCluster? _cluster;
    private readonly Random _random;
    private readonly List<SimulatedService> _services;
    private readonly List<HotEvent> _events = [];
    private readonly List<PushCampaign> _pushes = [];
    private readonly DateTimeOffset _origin;
    private readonly DateTimeOffset _startedAt;
    private readonly int _capacitySteps;
    private readonly TrafficStateFile? _state;
    private long _nextStep;
    private long _eventCounter;
    private long _pushCounter;

    public TrafficSimulator(IOptions<SandboxTrafficOptions> options, TimeProvider time, ISandboxCluster? cluster = null)
    {
        _options = options.Value;
        _time = time;
        _cluster = cluster;
        _random = new Random(_options.Seed);
        _capacitySteps = (int)_options.History.TotalSeconds + 2;
        _services = [.. _options.Services.Select(s => new SimulatedService(s, _capacitySteps))];
        _startedAt = time.GetUtcNow();
        _origin = Floor(_startedAt - _options.Warmup);
        _state = TrafficStateFile.Open(_options);
        if (_state is not null)
            Restore(_state.Load(_startedAt - s_eventRetention), new TrafficTraceLibrary(options));
        lock (_lock)
        {
            Advance(_startedAt);
            var history = new TrafficHistory(this, _startedAt);
            _totalsAtStart = _services.ToDictionary(s => s, s => history.TotalsAt(s, _startedAt)!);
        }
    }

    /// <summary>Each service's counters when this process started: the exposition counts from them, as a real process counts from 0.</summary>
    private readonly Dictionary<SimulatedService, double[]> _totalsAtStart;

    public IReadOnlyList<SimulatedServiceOptions> Services => _options.Services;

    public bool HasService(string @namespace, string workload) => Find(@namespace, workload) is not null;

    /// <summary>Hot events running at once (an event lasts up to 18 h): each simulated second adds up all of them, as for campaigns.</summary>
    public const int MaxRunningHotEvents = 50;

    /// <summary>
    /// Starts a validated hot event with the next simulated second (the current one is already history). Null when
    /// <see cref="MaxRunningHotEvents"/> are running already.
    /// </summary>
    public HotEvent? StartHotEvent(HotEventRequest request)
    {
        lock (_lock)
        {
            var now = _time.GetUtcNow();
            Advance(now);
            if (_events.Count(e => e.EndsAt > now) >= MaxRunningHotEvents)
                return null;
            var hotEvent = new HotEvent(
                NextEventId(),
                request.Namespace!,
                request.Workload!,
                request.Multiplier!.Value,
                request.RampSeconds ?? HotEventRequest.DefaultRamp,
                request.HoldSeconds ?? HotEventRequest.DefaultHold,
                request.DecaySeconds ?? HotEventRequest.DefaultDecay,
                Floor(now) + s_step,
                HotEvent.OriginApi);
            _events.Add(hotEvent);
            _events.RemoveAll(e => e.EndsAt < now - s_eventRetention);
            _state?.PutHotEvent(hotEvent, _eventCounter);
            return hotEvent;
        }
    }

    /// <summary>
    /// Ends a hot event with the next simulated second (demand back to the baseline at once); null when no event has
    /// that id. An event already over is returned as it was.
    /// </summary>
    public HotEvent? EndHotEvent(string id)
    {
        lock (_lock)
        {
            var now = _time.GetUtcNow();
            Advance(now);
            var index = _events.FindIndex(e => e.Id == id);
            if (index < 0)
                return null;

            var e = _events[index];
            var left = (int)Math.Max(0, (Floor(now) + s_step - e.StartsAt).TotalSeconds);
            if (e.EndsAt <= e.StartsAt.AddSeconds(left))
                return e;

            var ramp = Math.Min(e.RampSeconds, left);
            var hold = Math.Min(e.HoldSeconds, left - ramp);
            var ended = e with { RampSeconds = ramp, HoldSeconds = hold, DecaySeconds = Math.Min(e.DecaySeconds, left - ramp - hold) };
            _events[index] = ended;
            _state?.PutHotEvent(ended, _eventCounter);
            return ended;
        }
    }

    /// <summary>Hot events that are running or ended within the last hour, newest first.</summary>
    public IReadOnlyList<HotEvent> HotEvents()
    {
        lock (_lock)
        {
            var now = _time.GetUtcNow();
            Advance(now);
            return [.. _events.Where(e => e.EndsAt >= now - s_eventRetention).OrderByDescending(e => e.StartsAt)];
        }
    }

    /// <summary>Campaigns running at once: each simulated second adds up all of them.</summary>
    public const int MaxRunningPushCampaigns = 50;

    /// <summary>
    /// Sends a validated push to <paramref name="recipients"/> users with the next simulated second: the pushes count
    /// from then, the opens follow as <paramref name="shape"/> says. Null when <see cref="MaxRunningPushCampaigns"/>
    /// are running already.
    /// </summary>
    public PushCampaign? StartPushCampaign(string @namespace, string workload, long recipients, PushShape shape)
    {
        lock (_lock)
        {
            var now = _time.GetUtcNow();
            Advance(now);
            if (_pushes.Count(c => c.EndsAt > now) >= MaxRunningPushCampaigns)
                return null;
            var campaign = new PushCampaign($"push-{++_pushCounter}", @namespace, workload, recipients, shape, Floor(now) + s_step);
            _pushes.Add(campaign);
            _pushes.RemoveAll(c => c.EndsAt < now - s_eventRetention);
            _state?.PutPush(campaign, _pushCounter);
            return campaign;
        }
    }

    /// <summary>Push campaigns that are running or ended within the last hour, newest first.</summary>
    public IReadOnlyList<PushCampaign> PushCampaigns()
    {
        lock (_lock)
        {
            var now = _time.GetUtcNow();
            Advance(now);
            return [.. _pushes.Where(c => c.EndsAt >= now - s_eventRetention).OrderByDescending(c => c.StartsAt)];
        }
    }

    /// <summary>
    /// Plays <paramref name="trace"/> as the service's demand from the next second, <paramref name="speed"/> times
    /// faster. Relative by default: the trace is scaled so that its first row equals the service's baseline now
    /// (a 10k→40k QPS trace becomes "4x this service"); <paramref name="absolute"/> plays the QPS as recorded.
    /// </summary>
    public TraceReplay StartReplay(string @namespace, string workload, TrafficTrace trace, double speed, bool absolute = false)
    {
        lock (_lock)
        {
            var now = _time.GetUtcNow();
            Advance(now);
            var service = Find(@namespace, workload) ?? throw new ArgumentException($"the simulator has no service {@namespace}/{workload}");
            var start = Floor(now) + s_step;
            var first = trace.QpsAt(0);
            var scale = absolute || first <= 0 ? 1 : Baseline(service.Options, start) / first;
            var replay = new TraceReplay(@namespace, workload, trace.Name, start, speed, trace.DurationSeconds, scale);
            service.Replay = (replay, trace);
            _state?.PutReplay(replay);
            return replay;
        }
    }

    /// <summary>The current second of every service: demand, capacity, errors, latency.</summary>
    public IReadOnlyList<ServiceStatus> Status()
    {
        lock (_lock)
        {
            var now = _time.GetUtcNow();
            Advance(now);
            return [.. _services.Select(s => new ServiceStatus(
                s.Namespace,
                s.Workload,
                s.Current!,
                _events.Where(e => e.Namespace == s.Namespace && e.Workload == s.Workload && e.PhaseAt(now) is not ("ended" or "pending")).Select(e => e.Id).ToArray(),
                s.Replay is ({ } r, _) && r.EndsAt > now ? r.Trace : null))];
        }
    }

    /// <inheritdoc/>
    public WorkloadLoad? Load(string @namespace, string workload, TimeSpan window) => Read(history =>
    {
        var service = history.Services.FirstOrDefault(s => s.Namespace == @namespace && s.Workload == workload);
        if (service is null)
            return null;
        var end = history.TotalsAt(service, history.Now);
        var start = history.TotalsAt(service, history.Now - window);
        var demand = end is not null && start is not null
            ? (end[TrafficCounters.Requests] - start[TrafficCounters.Requests]) / window.TotalSeconds
            : service.Current?.DemandQps ?? 0; // less history than the window (just started): the current second
        return new WorkloadLoad(demand, service.Options.PodCapacityQps);
    });

    /// <summary>Runs <paramref name="read"/> against the history, advanced to now, under the simulator's lock.</summary>
    internal T Read<T>(Func<TrafficHistory, T> read)
    {
        lock (_lock)
        {
            var now = _time.GetUtcNow();
            Advance(now);
            return read(new TrafficHistory(this, now));
        }
    }

    public void Dispose()
    {
        lock (_lock)
            _state?.Dispose();
    }

    // Kept traffic from before a restart; a push or replay whose trace is gone is dropped (its shape cannot be known).
    private void Restore(SavedTraffic saved, TrafficTraceLibrary traces)
    {
        _events.AddRange(saved.HotEvents);
        _eventCounter = saved.HotEventCounter;
        _pushCounter = saved.PushCounter;
        foreach (var push in saved.Pushes)
        {
            if (Load(traces, push.Trace) is { } trace && PushShape.From(trace, out _) is { } shape)
                _pushes.Add(new PushCampaign(push.Id, push.Namespace, push.Workload, push.Recipients, shape, push.StartsAt));
        }

        foreach (var replay in saved.Replays)
        {
            if (Find(replay.Namespace, replay.Workload) is { } service && Load(traces, replay.Trace) is { } trace)
                service.Replay = (replay, trace);
        }
    }

    private static TrafficTrace? Load(TrafficTraceLibrary traces, string name)
    {
        try
        {
            return traces.Find(name);
        }
        catch (FormatException)
        {
            return null;
        }
    }

    private SimulatedService? Find(string @namespace, string workload) =>
        _services.FirstOrDefault(s => s.Namespace == @namespace && s.Workload == workload);

    private string NextEventId() => $"hot-{++_eventCounter}";

    private void Advance(DateTimeOffset now)
    {
        var target = (long)Math.Floor((now - _origin) / s_step);
        for (; _nextStep <= target; _nextStep++)
            Simulate(_nextStep);
    }

    private void Simulate(long step)
    {
        var time = _origin + step * s_step;
        if (_options.DemoMode && time >= _startedAt)
            MaybeStartDemoEvent(time);

        foreach (var service in _services)
        {
            var demand = Demand(service, time);
            var pods = _cluster?.GetReadyReplicas(service.Namespace, service.Workload) ?? service.Options.Replicas ?? _options.DefaultReplicas;
            var conditions = CapacityModel.Evaluate(service.Options, demand, pods);
            var rates = new double[TrafficCounters.Length];
            CapacityModel.WriteRates(service.Options, conditions, rates);
            rates[TrafficCounters.Pushes] = Pushes(service, time);
            var totals = step == 0 ? new double[TrafficCounters.Length] : service.TotalsAfter(step - 1);
            service.Record(step, conditions, totals, rates);
        }
    }

    private double Demand(SimulatedService service, DateTimeOffset time)
    {
        var baseline = ReplayQps(service, time) ?? Baseline(service.Options, time);
        var extra = 0.0;
        foreach (var hotEvent in _events)
        {
            if (hotEvent.Namespace == service.Namespace && hotEvent.Workload == service.Workload)
                extra += hotEvent.ExtraAt(time);
        }

        var opens = 0.0;
        foreach (var push in _pushes)
        {
            if (push.Namespace == service.Namespace && push.Workload == service.Workload)
                opens += push.ExtraQpsAt(time);
        }

        var noise = 1 + _options.NoiseFraction * NextGaussian();
        return Math.Max(0, ((baseline * (1 + extra)) + opens) * noise);
    }

    /// <summary>Pushes per second sent for the service's campaigns (exact: a push system counts what it sends).</summary>
    private double Pushes(SimulatedService service, DateTimeOffset time)
    {
        var sent = 0.0;
        foreach (var push in _pushes)
        {
            if (push.Namespace == service.Namespace && push.Workload == service.Workload)
                sent += push.PushesPerSecondAt(time);
        }

        return sent;
    }

    private double Baseline(SimulatedServiceOptions service, DateTimeOffset time) =>
        service.Flat ? service.PeakQps : service.PeakQps * DailyShape.At(time.ToOffset(_options.LocalTimeOffset));

    private double? ReplayQps(SimulatedService service, DateTimeOffset time)
    {
        if (service.Replay is not var (replay, trace))
            return null;
        var seconds = (time - replay.StartedAt).TotalSeconds * replay.Speed;
        return seconds < 0 || seconds > trace.DurationSeconds ? null : trace.QpsAt(seconds) * replay.Scale;
    }

    private void MaybeStartDemoEvent(DateTimeOffset time)
    {
        if (_random.NextDouble() >= s_step / _options.DemoMeanInterval)
            return;

        var service = _services[_random.Next(_services.Count)];
        var hotEvent = new HotEvent(
            NextEventId(),
            service.Namespace,
            service.Workload,
            Math.Round(2 + _random.NextDouble() * 8, 1),
            _random.Next(15, 181),
            _random.Next(60, 301),
            _random.Next(60, 301),
            time,
            HotEvent.OriginDemo);
        _events.Add(hotEvent);
        _state?.PutHotEvent(hotEvent, _eventCounter);
    }

    /// <summary>Standard normal draw (Box–Muller) from the seeded generator.</summary>
    private double NextGaussian()
    {
        if (_options.NoiseFraction == 0)
            return 0;
        var u1 = 1.0 - _random.NextDouble();
        var u2 = _random.NextDouble();
        return Math.Sqrt(-2 * Math.Log(u1)) * Math.Cos(2 * Math.PI * u2);
    }

    private static DateTimeOffset Floor(DateTimeOffset time) =>
        new(time.UtcTicks - time.UtcTicks % TimeSpan.TicksPerSecond, TimeSpan.Zero);

    /// <summary>A read-only view of the simulated counters, valid inside <see cref="Read{T}"/>.</summary>
    internal readonly struct TrafficHistory(TrafficSimulator simulator, DateTimeOffset now)
    {
        public DateTimeOffset Now => now;

        public DateTimeOffset Oldest => simulator._origin + Math.Max(0, simulator._nextStep - simulator._capacitySteps + 1) * s_step;

        public IEnumerable<SimulatedService> Services => simulator._services;

        /// <summary>
        /// The counters as the process exposes them at now: counted from its start, not from the warm-up history (after
        /// a restart, a non-zero start would read to Prometheus as a reset followed by the whole warm-up at once).
        /// </summary>
        public double[] CountersSinceStart(SimulatedService service)
        {
            var totals = TotalsAt(service, now)!;
            var start = simulator._totalsAtStart[service];
            for (var i = 0; i < totals.Length; i++)
                totals[i] -= start[i];
            return totals;
        }

        /// <summary>Counter totals of <paramref name="service"/> at <paramref name="time"/>, or null outside the kept history.</summary>
        public double[]? TotalsAt(SimulatedService service, DateTimeOffset time)
        {
            if (time < Oldest || time > now)
                return null;
            var step = (long)Math.Floor((time - simulator._origin) / s_step);
            var record = service.At(step);
            var elapsed = (time - (simulator._origin + step * s_step)).TotalSeconds;
            var totals = new double[record.TotalsAtStart.Length];
            for (var i = 0; i < totals.Length; i++)
                totals[i] = record.TotalsAtStart[i] + record.Rates[i] * elapsed;
            return totals;
        }
    }
}

/// <summary>One service as <c>GET /sandbox/traffic/services</c> shows it.</summary>
public sealed record ServiceStatus(string Namespace, string Workload, ServiceConditions Conditions, string[] ActiveHotEvents, string? ReplayingTrace);
