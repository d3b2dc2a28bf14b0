using System.Collections.Concurrent;
using ScaleControl.Core.Capacity;
using ScaleControl.Core.Commands;
using ScaleControl.Core.Faults;
using ScaleControl.Core.Policies;
using ScaleControl.Core.Pods;
using ScaleControl.Core.Ports;
using ScaleControl.Core.Proposals;
using ScaleControl.Core.Signals;
using ScaleControl.DingTalk.Cards;

namespace ScaleControl.Server.Tests.Infrastructure;

/// <summary>Workloads in memory with resourceVersions; scale writes are conditional and counted.</summary>
public sealed class FakeWorkloads : IWorkloadClient, IWorkloadPods
{
    private readonly ConcurrentDictionary<string, WorkloadState> _items = new();
    private int _version = 100;

    public ConcurrentQueue<ScaleRequest> Writes { get; } = new();

    /// <summary>Answers the next N scale writes with Conflict after bumping the resourceVersion (someone else wrote).</summary>
    public int ConflictsToInject { get; set; }

    /// <param name="hpa">An HPA that owns the workload: a write sets its floor as the Kubernetes adapter does (raised with the original kept, or restored), never below its own minReplicas.</param>
    public WorkloadState Add(string ns, string name, int replicas, string kind = TargetRef.DeploymentKind, PodResources? requests = null, HpaInfo? hpa = null)
    {
        var state = new WorkloadState(new WorkloadRef(ns, kind, name), replicas, replicas, Next(), Guid.NewGuid().ToString(), TimeSpan.FromSeconds(30), hpa, requests);
        _items[$"{ns}/{name}"] = state;
        return state;
    }

    public int Replicas(string ns, string name) => _items[$"{ns}/{name}"].SpecReplicas;

    /// <summary>The workload deleted (kubectl delete deployment).</summary>
    public void Remove(string ns, string name) => _items.TryRemove($"{ns}/{name}", out _);

    public HpaInfo? Hpa(string ns, string name) => _items[$"{ns}/{name}"].Hpa;

    private readonly ConcurrentDictionary<string, int> _hpaKeeps = new();

    /// <summary>What the owning HPA's own metrics keep the workload at above its floor (the sandbox's HPA without metrics keeps what it runs).</summary>
    public void HpaKeeps(string ns, string name, int replicas) => _hpaKeeps[$"{ns}/{name}"] = replicas;

    /// <summary>Fewer pods ready than asked for (starting, or Pending for want of room).</summary>
    public void SetReady(string ns, string name, int ready) => _items[$"{ns}/{name}"] = _items[$"{ns}/{name}"] with { ReadyReplicas = ready };

    /// <summary>Set: every read fails as an unreachable API server does.</summary>
    public string? ApiDown { get; set; }

    /// <summary>The pods a test sets for a workload ("ns/name"); others have their ready count Ready and the rest starting.</summary>
    public ConcurrentDictionary<string, WorkloadPods> Pods { get; } = new();

    private int _podLists;

    /// <summary>How many pod lists were made (the status reads pods only where READY is below CURRENT).</summary>
    public int PodLists => _podLists;

    public Task<WorkloadPods> ListAsync(WorkloadRef target, int max, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _podLists);
        var key = $"{target.Namespace}/{target.Name}";
        if (Pods.TryGetValue(key, out var set))
        {
            return Task.FromResult(set);
        }

        var state = _items.GetValueOrDefault(key);
        return Task.FromResult(state is null
            ? WorkloadPods.Unreadable($"{target} not found")
            : new WorkloadPods([.. Enumerable.Range(0, Math.Min(max, state.SpecReplicas)).Select(i =>
                new PodFacts($"{target.Name}-{i}", i < state.ReadyReplicas, false, true, null, null, i < state.ReadyReplicas ? [] : [new ContainerWaiting(target.Name, "ContainerCreating", null)]))],
                state.SpecReplicas > max));
    }

    /// <summary>Set: every read waits until it is cancelled, as one behind a cache's first list that does not finish.</summary>
    public bool Hang { get; set; }

    public Task<WorkloadState?> GetAsync(WorkloadRef target, CancellationToken cancellationToken) =>
        Hang ? HangAsync(cancellationToken)
        : ApiDown is { } down
            ? Task.FromException<WorkloadState?>(new HttpRequestException(down))
            : Task.FromResult(_items.GetValueOrDefault($"{target.Namespace}/{target.Name}"));

    /// <summary>How many reads have waited under <see cref="Hang"/>.</summary>
    public int Hung => _hung;

    private int _hung;

    private async Task<WorkloadState?> HangAsync(CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _hung);
        await Task.Delay(Timeout.Infinite, cancellationToken);
        return null;
    }

    /// <summary>Runs before a scale write is looked at: what happens "at the same moment" (another request).</summary>
    public Func<ScaleRequest, Task>? BeforeScale { get; set; }

    public async Task<ScaleResult> ScaleAsync(ScaleRequest request, CancellationToken cancellationToken)
    {
        if (BeforeScale is { } before)
        {
            await before(request);
        }

        return await WriteScaleAsync(request);
    }

    private Task<ScaleResult> WriteScaleAsync(ScaleRequest request)
    {
        lock (_items)
        {
            Writes.Enqueue(request);
            var key = $"{request.Target.Namespace}/{request.Target.Name}";
            if (!_items.TryGetValue(key, out var state))
            {
                return Task.FromResult(new ScaleResult(ScaleOutcome.NotFound, null, "not found"));
            }

            if (ConflictsToInject > 0)
            {
                ConflictsToInject--;
                _items[key] = state with { ResourceVersion = Next() };
                return Task.FromResult(new ScaleResult(ScaleOutcome.Conflict, null, "the object has been modified"));
            }

            if (request.ExpectedResourceVersion is { } expected && expected != state.ResourceVersion)
            {
                return Task.FromResult(new ScaleResult(ScaleOutcome.Conflict, null, "the object has been modified"));
            }

            var version = Next();
            var hpa = state.Hpa is { } owner ? WithFloor(owner, request.Replicas) : null;
            var replicas = hpa is not null ? Math.Max(hpa.MinReplicas!.Value, _hpaKeeps.GetValueOrDefault(key)) : request.Replicas;
            _items[key] = state with { SpecReplicas = replicas, ReadyReplicas = replicas, ResourceVersion = version, Hpa = hpa };
            return Task.FromResult(new ScaleResult(ScaleOutcome.Applied, replicas, "scaled", ViaHpa: state.Hpa is not null, ResourceVersion: version));
        }
    }

    /// <summary>The HPA after a write, as KubernetesWorkloadClient leaves it: above its own minimum the floor is raised (the original kept), else restored.</summary>
    private static HpaInfo WithFloor(HpaInfo hpa, int replicas) => replicas > hpa.OwnMinReplicas
        ? hpa with { MinReplicas = Math.Min(replicas, hpa.MaxReplicas), OriginalMinReplicas = hpa.OwnMinReplicas }
        : hpa with { MinReplicas = hpa.OwnMinReplicas, OriginalMinReplicas = null };

    private string Next() => Interlocked.Increment(ref _version).ToString(System.Globalization.CultureInfo.InvariantCulture);
}

/// <summary>Metric values set by the test; every query is answered at the fake clock's now.</summary>
public sealed class FakeMetrics(TimeProvider time) : IMetricSource
{
    private readonly ConcurrentDictionary<string, double> _values = new();

    public ConcurrentQueue<IReadOnlyCollection<string>> Calls { get; } = new();

    public void Set(string query, double value) => _values[query] = value;

    /// <summary>Set: the metrics source is down (every query Unavailable with this problem), as when Prometheus does not answer.</summary>
    public string? Down { get; set; }

    /// <summary>Set: runs once inside the next query, as a person's write that lands while the loop waits for Prometheus.</summary>
    public Func<Task>? DuringNextQuery { get => _duringNextQuery; set => _duringNextQuery = value; }

    private Func<Task>? _duringNextQuery;

    public async Task<IReadOnlyDictionary<string, MetricReading>> QueryAsync(IReadOnlyCollection<string> queries, CancellationToken cancellationToken)
    {
        Calls.Enqueue(queries);
        if (Interlocked.Exchange(ref _duringNextQuery, null) is { } during)
        {
            await during();
        }

        var now = time.GetUtcNow();
        IReadOnlyDictionary<string, MetricReading> result = queries.ToDictionary(q => q, q => Down is { } down
            ? MetricReading.Failed(q, MetricStatus.Unavailable, down)
            : _values.TryGetValue(q, out var v)
            ? MetricReading.Ok(q, v, now)
            : MetricReading.Failed(q, MetricStatus.Empty, "no series"));
        return result;
    }

    private readonly ConcurrentDictionary<string, MetricQueryException> _rangeFailures = new();

    private readonly ConcurrentDictionary<string, Func<DateTimeOffset, double>> _histories = new();

    /// <summary>Range queries of <paramref name="query"/> answer <paramref name="valueAt"/> at each point (a ramp, a step), not one constant.</summary>
    public void SetHistory(string query, Func<DateTimeOffset, double> valueAt) => _histories[query] = valueAt;

    /// <summary>Range queries of <paramref name="query"/> fail with this, as Prometheus refusing the query or not answering.</summary>
    public void FailRange(string query, MetricQueryException failure) => _rangeFailures[query] = failure;

    /// <summary>Every range query asked, in order.</summary>
    public ConcurrentQueue<(string Query, DateTimeOffset Start, DateTimeOffset End, TimeSpan Step)> RangeCalls { get; } = new();

    /// <summary>Set: range queries never answer (they wait until cancelled), as a Prometheus that hangs; completed when the first one is asked.</summary>
    public TaskCompletionSource? SilentRange { get; set; }

    public async Task<IReadOnlyList<MetricPoint>> QueryRangeAsync(string query, DateTimeOffset start, DateTimeOffset end, TimeSpan step, CancellationToken cancellationToken)
    {
        RangeCalls.Enqueue((query, start, end, step));
        if (SilentRange is { } silent)
        {
            silent.TrySetResult();
            await Task.Delay(Timeout.Infinite, cancellationToken);
        }

        if (_rangeFailures.TryGetValue(query, out var failure))
        {
            throw failure;
        }

        var points = new List<MetricPoint>();
        for (var t = start; t <= end; t += step)
        {
            if (_histories.TryGetValue(query, out var history))
            {
                points.Add(new MetricPoint(t, history(t)));
            }
            else if (_values.TryGetValue(query, out var v))
            {
                points.Add(new MetricPoint(t, v));
            }
        }

        return points;
    }
}

/// <summary>Records every fault notice shown (open, update, resolve) and whether it DINGed.</summary>
public sealed class RecordingFaults : IFaultNotifier
{
    public ConcurrentQueue<(Core.Faults.FaultNotice Notice, bool Ding)> Shown { get; } = new();

    /// <summary>False: showing fails (DingTalk down), the caller must try again.</summary>
    public bool Reachable { get; set; } = true;

    /// <summary>Every call to show a notice, shown or not.</summary>
    public int Attempts => _attempts;

    private int _attempts;

    public Task<bool> ShowAsync(Core.Faults.FaultNotice notice, bool ding, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _attempts);
        if (Reachable)
        {
            Shown.Enqueue((notice, ding));
        }

        return Task.FromResult(Reachable);
    }
}

/// <summary>Records cards, card updates and escalations.</summary>
public sealed class RecordingNotifier : IApprovalNotifier
{
    public ConcurrentQueue<ScaleProposal> Sent { get; } = new();
    public ConcurrentQueue<ScaleProposal> Updates { get; } = new();
    public ConcurrentQueue<ScaleProposal> Escalations { get; } = new();
    public ConcurrentQueue<IReadOnlyList<ScaleProposal>> GroupUpdates { get; } = new();

    public Task<CardReference> SendProposalAsync(ScaleProposal proposal, ScalePolicy policy, CancellationToken cancellationToken)
    {
        Sent.Enqueue(proposal);
        return Task.FromResult(new CardReference
        {
            OutTrackId = ProposalIdentity.ToOutTrackId(proposal.Metadata.Namespace, proposal.Metadata.Name),
            // An automatic step's card goes where the policy's notices go (as DingTalkCardNotifier sends it).
            OpenConversationId = ProposalFactory.ActionOf(proposal) == ProposalFactory.Action.Auto
                ? policy.Spec.Notifications?.OpenConversationId
                : policy.Spec.Approval?.OpenConversationId,
        });
    }

    public Task UpdateProposalAsync(ScaleProposal proposal, CancellationToken cancellationToken)
    {
        Updates.Enqueue(proposal);
        return Task.CompletedTask;
    }

    public Task UpdateGroupAsync(IReadOnlyList<ScaleProposal> rows, CancellationToken cancellationToken)
    {
        GroupUpdates.Enqueue(rows);
        return Task.CompletedTask;
    }

    /// <summary>Every DING's rows, in order.</summary>
    public ConcurrentQueue<IReadOnlyList<ScaleProposal>> EscalatedRows { get; } = new();

    /// <summary>Every DING's receivers, in order.</summary>
    public ConcurrentQueue<IReadOnlyList<string>> EscalatedTo { get; } = new();

    /// <summary>How many DINGs from now DingTalk answers "throttled" (<see cref="NotifierBusyException"/>, nothing sent).</summary>
    public int BusyEscalations { get; set; }

    public Task<EscalationRecord> EscalateAsync(IReadOnlyList<ScaleProposal> rows, EscalationSpec escalation, IReadOnlyList<string> receivers, CancellationToken cancellationToken)
    {
        if (BusyEscalations > 0)
        {
            BusyEscalations--;
            throw new NotifierBusyException("DING throttled (test)", new InvalidOperationException("429"));
        }

        EscalatedTo.Enqueue(receivers);
        Escalations.Enqueue(rows[0]);
        EscalatedRows.Enqueue(rows);
        return Task.FromResult(new EscalationRecord { At = DateTimeOffset.UnixEpoch, DingType = escalation.DingType, Receivers = receivers });
    }
}

public sealed class RecordingNotices : INoticePublisher
{
    public ConcurrentQueue<Notice> Published { get; } = new();

    public Task PublishAsync(Notice notice, CancellationToken cancellationToken)
    {
        Published.Enqueue(notice);
        return Task.CompletedTask;
    }
}

public sealed class RecordingEvents : IEventRecorder
{
    public ConcurrentQueue<(WorkloadRef Target, string Reason, string Message)> Recorded { get; } = new();

    public Task RecordAsync(WorkloadRef target, string reason, string message, bool warning, CancellationToken cancellationToken)
    {
        Recorded.Enqueue((target, reason, message));
        return Task.CompletedTask;
    }
}

public sealed class FixedLeadership : ILeadership
{
    public bool IsLeader => true;
    public string Identity => "test-replica";
    public string? CurrentLeader => Identity;
    public long Term => 1;
}

/// <summary>A follower: another replica, <paramref name="leader"/>, holds the lease.</summary>
public sealed class FollowerLeadership(string? leader) : ILeadership
{
    public bool IsLeader => false;
    public string Identity => "follower-replica";
    public string? CurrentLeader => leader;
    public long Term => 1;
}

/// <summary>Leadership a test can take away and give back.</summary>
public sealed class SwitchableLeadership : ILeadership
{
    public bool IsLeader { get; set; } = true;
    public string Identity => "test-replica";
    public string? CurrentLeader => IsLeader ? Identity : "other-replica";
    public long Term => 1;
}

/// <summary>The cluster's nodes as a test sets them; reads are counted.</summary>
public sealed class FakeClusterCapacity : IClusterCapacity
{
    private int _reads;

    public ClusterRoom Room { get; set; } = ClusterRoom.NotKnown("no nodes in this test");

    public int Reads => _reads;

    public Task<ClusterRoom> ReadAsync(CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _reads);
        return Task.FromResult(Room);
    }
}

/// <summary>Records confirmation cards sent and closed.</summary>
public sealed class RecordingConfirmationCards : IConfirmationCards
{
    public ConcurrentQueue<ConfirmationCard> Sent { get; } = new();
    public ConcurrentQueue<(string Code, string Status, string Result)> Closed { get; } = new();

    public Task SendAsync(ConfirmationCard card, CancellationToken cancellationToken)
    {
        Sent.Enqueue(card);
        return Task.CompletedTask;
    }

    public Task CloseAsync(string code, string status, string result, CancellationToken cancellationToken)
    {
        Closed.Enqueue((code, status, result));
        return Task.CompletedTask;
    }
}

/// <summary>The used-approval ledger in this process's memory (in the product: Events in the cluster).</summary>
public sealed class MemoryUsedApprovalLedger : IUsedApprovalLedger
{
    private readonly ConcurrentDictionary<string, DateTimeOffset> _used = new(StringComparer.Ordinal);

    public Task<DateTimeOffset?> UsedAtAsync(string seal, CancellationToken cancellationToken) =>
        Task.FromResult(_used.TryGetValue(seal, out var at) ? at : (DateTimeOffset?)null);

    public Task RecordAsync(string seal, string proposal, DateTimeOffset at, CancellationToken cancellationToken)
    {
        _used.TryAdd(seal, at);
        return Task.CompletedTask;
    }
}

/// <summary>A fault ledger in memory: the cluster's ConfigMap store stands in for it in the product, with one replica too.</summary>
public sealed class MemoryFaultLedgerStore : IFaultLedgerStore
{
    private volatile IReadOnlyList<FaultRecord> _faults = [];

    public Task<IReadOnlyList<FaultRecord>> LoadAsync(CancellationToken cancellationToken) => Task.FromResult(_faults);

    public Task SaveAsync(IReadOnlyList<FaultRecord> faults, CancellationToken cancellationToken)
    {
        _faults = faults;
        return Task.CompletedTask;
    }
}
