namespace ScaleControl.Core.Faults;

/// <summary>When a fault is shown: after failing this long, refreshed at most this often, resolved after healthy this long.</summary>
public sealed record FaultNoticeTiming(TimeSpan OpenAfter, TimeSpan UpdateEvery, TimeSpan ResolveAfter)
{
    public static FaultNoticeTiming Default { get; } = new(TimeSpan.FromSeconds(30), TimeSpan.FromSeconds(60), TimeSpan.FromSeconds(30));
}

public enum FaultNoticeStep
{
    /// <summary>Nothing to show (healthy, a blip shorter than OpenAfter, or shown recently enough).</summary>
    None,

    /// <summary>The fault is shown for the first time (one notice; DING the on-call people).</summary>
    Open,

    /// <summary>The same notice is updated in place (how long so far, what fails now).</summary>
    Update,

    /// <summary>The same notice says it is resolved, and after how long.</summary>
    Resolve,
}

/// <summary>One dependency's fault as the group sees it.</summary>
public sealed record FaultNotice(string Dependency, string Problem, DateTimeOffset Since, DateTimeOffset At, DateTimeOffset? ResolvedAt)
{
    /// <summary>From the first failure seen to the first success seen after it (or to now while it lasts).</summary>
    public TimeSpan Duration => (ResolvedAt ?? At) - Since;

    public bool Resolved => ResolvedAt is not null;

    /// <summary>"7m12s", "45s", "2h05m".</summary>
    public static string Format(TimeSpan span)
    {
        var seconds = (long)Math.Max(0, Math.Round(span.TotalSeconds));
        return seconds switch
        {
            < 60 => $"{seconds}s",
            < 3600 => $"{seconds / 60}m{seconds % 60:00}s",
            _ => $"{seconds / 3600}h{seconds / 60 % 60:00}m",
        };
    }
}

/// <summary>
/// One dependency's fault as the ledger holds it, kept outside the leader's memory so that the next leader goes on
/// with the same notice (updates the same card, resolves it with the whole duration) instead of announcing it again.
/// <see cref="Announced"/>: the opening notice reached the group (else the next leader still owes it, with its DING).
/// </summary>
public sealed record FaultRecord(
    string Dependency, string Problem, DateTimeOffset Since, bool Opened, bool Announced,
    DateTimeOffset ShownAt, string? ShownProblem, DateTimeOffset? HealthySince);

/// <summary>
/// Turns a stream of health observations per dependency (Prometheus, the Kubernetes API, DingTalk) into one living
/// notice per fault: opened once after the dependency has failed for <see cref="FaultNoticeTiming.OpenAfter"/>,
/// updated in place at most every <see cref="FaultNoticeTiming.UpdateEvery"/> (or when what fails changes), and
/// resolved — with its duration — once the dependency has been healthy for <see cref="FaultNoticeTiming.ResolveAfter"/>.
/// Not a message per tick. Not thread-safe: one caller at a time.
/// </summary>
public sealed class FaultLedger(FaultNoticeTiming timing)
{
    private readonly Dictionary<string, Fault> _faults = new(StringComparer.Ordinal);

    /// <summary>Faults currently shown (opened and not yet resolved).</summary>
    public IReadOnlyCollection<string> Open => [.. _faults.Where(f => f.Value.Opened).Select(f => f.Key)];

    /// <summary>The faults as they stand, to be kept across a leader change.</summary>
    public IReadOnlyList<FaultRecord> Export() =>
        [.. _faults.OrderBy(f => f.Key, StringComparer.Ordinal).Select(f => f.Value.ToRecord(f.Key))];

    /// <summary>Replaces what this ledger holds with faults another leader kept.</summary>
    public void Import(IEnumerable<FaultRecord> records)
    {
        _faults.Clear();
        foreach (var record in records)
        {
            _faults[record.Dependency] = Fault.From(record);
        }
    }

    /// <summary>The opening notice of this fault reached the group.</summary>
    public void MarkAnnounced(string dependency)
    {
        if (_faults.TryGetValue(dependency, out var fault) && fault.Opened)
        {
            fault.Announced = true;
        }
    }

    /// <param name="problem">What fails now, or null when the dependency answered as it should.</param>
    public (FaultNoticeStep Step, FaultNotice? Notice) Observe(string dependency, string? problem, DateTimeOffset now)
    {
        _faults.TryGetValue(dependency, out var fault);
        if (problem is null)
        {
            return fault is null ? (FaultNoticeStep.None, null) : Healthy(dependency, fault, now);
        }

        if (fault is null)
        {
            _faults[dependency] = fault = new Fault(now, problem);
        }

        fault.HealthySince = null;
        fault.Problem = problem;
        if (!fault.Opened)
        {
            if (now - fault.Since < timing.OpenAfter)
            {
                return (FaultNoticeStep.None, null);
            }

            fault.Opened = true;
            return (FaultNoticeStep.Open, fault.Shown(dependency, now));
        }

        return problem != fault.ShownProblem || now - fault.ShownAt >= timing.UpdateEvery
            ? (FaultNoticeStep.Update, fault.Shown(dependency, now))
            : (FaultNoticeStep.None, null);
    }

    private (FaultNoticeStep, FaultNotice?) Healthy(string dependency, Fault fault, DateTimeOffset now)
    {
        if (!fault.Opened)
        {
            _faults.Remove(dependency); // a blip nobody was told about
            return (FaultNoticeStep.None, null);
        }

        fault.HealthySince ??= now;
        if (now - fault.HealthySince < timing.ResolveAfter)
        {
            return (FaultNoticeStep.None, null);
        }

        _faults.Remove(dependency);
        return (FaultNoticeStep.Resolve, new FaultNotice(dependency, fault.Problem, fault.Since, now, fault.HealthySince));
    }

    private sealed class Fault(DateTimeOffset since, string problem)
    {
        public DateTimeOffset Since { get; } = since;
        public string Problem { get; set; } = problem;
        public bool Opened { get; set; }
        public bool Announced { get; set; }
        public DateTimeOffset ShownAt { get; private set; }
        public string? ShownProblem { get; private set; }
        public DateTimeOffset? HealthySince { get; set; }

        public static Fault From(FaultRecord r) => new(r.Since, r.Problem)
        {
            Opened = r.Opened,
            Announced = r.Announced,
            ShownAt = r.ShownAt,
            ShownProblem = r.ShownProblem,
            HealthySince = r.HealthySince,
        };

        public FaultRecord ToRecord(string dependency) =>
            new(dependency, Problem, Since, Opened, Announced, ShownAt, ShownProblem, HealthySince);

        public FaultNotice Shown(string dependency, DateTimeOffset now)
        {
            ShownAt = now;
            ShownProblem = Problem;
            return new FaultNotice(dependency, Problem, Since, now, null);
        }
    }
}
