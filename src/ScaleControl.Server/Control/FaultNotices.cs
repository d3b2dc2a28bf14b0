using Microsoft.Extensions.Options;
using ScaleControl.Core.Faults;
using ScaleControl.Core.Ports;
using ScaleControl.Server.Hosting;

namespace ScaleControl.Server.Control;

/// <summary>
/// The fault loop that closes by itself: what the loop and the announcer see of their dependencies (Prometheus
/// answering, the Kubernetes API answering, DingTalk answering) goes into a <see cref="FaultLedger"/>, and what it
/// says to show — open (with a DING), update in place, resolved after how long — goes to the <see cref="IFaultNotifier"/>.
/// A notice that could not be shown is shown on the next observation, in the state of that moment.
/// </summary>
public sealed class FaultNotices(IFaultNotifier notifier, IOptions<ControlLoopOptions> options, TimeProvider time)
{
    public const string Prometheus = "prometheus";
    public const string Kubernetes = "kubernetes";
    public const string DingTalk = "dingtalk";

    private readonly Lock _gate = new();
    private readonly FaultLedger _ledger = new(new FaultNoticeTiming(
        TimeSpan.FromSeconds(options.Value.FaultOpenAfterSeconds),
        TimeSpan.FromSeconds(options.Value.FaultUpdateSeconds),
        TimeSpan.FromSeconds(options.Value.FaultResolveAfterSeconds)));

    private readonly Dictionary<string, (FaultNotice Notice, bool Ding)> _unshown = new(StringComparer.Ordinal);

    /// <param name="problem">What failed, or null when the dependency answered as it should.</param>
    public async Task ObserveAsync(string dependency, string? problem, CancellationToken cancellationToken)
    {
        (FaultNotice Notice, bool Ding)? show;
        lock (_gate)
        {
            var (step, notice) = _ledger.Observe(dependency, problem, time.GetUtcNow());
            show = notice is not null
                ? (notice, step == FaultNoticeStep.Open || (_unshown.TryGetValue(dependency, out var missed) && missed.Ding))
                : _unshown.TryGetValue(dependency, out var pending) ? pending with { Notice = Refreshed(pending.Notice) } : null;
            _unshown.Remove(dependency);
        }

        if (show is not { } due || await notifier.ShowAsync(due.Notice, due.Ding, cancellationToken))
        {
            return;
        }

        lock (_gate)
        {
            _unshown.TryAdd(dependency, due);
        }
    }

    /// <summary>An ongoing fault shown late says how long it has lasted by now.</summary>
    private FaultNotice Refreshed(FaultNotice notice) => notice.Resolved ? notice : notice with { At = time.GetUtcNow() };
}
