using k8s;
using k8s.Autorest;
using k8s.LeaderElection;
using k8s.LeaderElection.ResourceLock;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using ScaleControl.Core.Ports;

namespace ScaleControl.Kubernetes.Leadership;

/// <summary>
/// Leader election on a coordination.k8s.io/v1 Lease with KubernetesClient's <see cref="LeaderElector"/>, as a
/// hosted service (the KubeOps shape): run until leadership is lost, then try again after a back-off with jitter.
/// Only the leader runs the control loop; every replica serves reads and approvals.
/// </summary>
public sealed partial class KubernetesLeadership(
    IKubernetes client,
    KubernetesOptions options,
    TimeProvider time,
    ILogger<KubernetesLeadership> logger) : BackgroundService, ILeadership
{
    private volatile bool _isLeader;
    private volatile string? _currentLeader;
    private long _term;
    private string? _lastLeaseFailure;
    private DateTimeOffset _lastLeaseFailureLogged;
    private readonly LeaseValidity _validity = new(TimeSpan.FromSeconds(options.LeaderElection.RenewDeadlineSeconds));

    /// <summary>
    /// True while this replica leads and its last renewal was sent less than the renew deadline ago. The elector
    /// notices a lost lease only at its next renewal; a replica that was paused (GC, SIGSTOP, a starved node) past its
    /// lease must not trust that flag when it wakes, so the renewal's own age is checked too — counted from when the
    /// renewal was sent, not from when its answer arrived, since a paused replica may read that answer long after.
    /// </summary>
    public bool IsLeader => _isLeader && _validity.HoldsAt(time.GetUtcNow());

    public long Term => Interlocked.Read(ref _term);

    public string Identity { get; } = ResolveIdentity(options.LeaderElection.Identity);

    public string? CurrentLeader => _currentLeader;

    /// <summary>Raised with true when this replica starts leading and false when it stops.</summary>
    public event Action<bool>? LeadershipChanged;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var settings = options.LeaderElection;
        var failures = 0;
        ILock? lease = null;
        while (!stoppingToken.IsCancellationRequested)
        {
            lease = new RenewalTrackingLock(
                new ReadFailureReportingLock(new LeaseLock(client, settings.Namespace, settings.LeaseName, Identity), LeaseUnreadable),
                time,
                _validity.Renewed);
            var config = new LeaderElectionConfig(lease)
            {
                LeaseDuration = TimeSpan.FromSeconds(settings.LeaseDurationSeconds),
                RenewDeadline = TimeSpan.FromSeconds(settings.RenewDeadlineSeconds),
                RetryPeriod = TimeSpan.FromSeconds(settings.RetryPeriodSeconds),
            };
            using var elector = new LeaderElector(config);
            elector.OnStartedLeading += () => SetLeader(true);
            elector.OnStoppedLeading += () => SetLeader(false);
            elector.OnNewLeader += leader =>
            {
                _currentLeader = leader;
                LogNewLeader(logger, leader, Identity);
            };

            try
            {
                await elector.RunUntilLeadershipLostAsync(stoppingToken).ConfigureAwait(false);
                failures = 0;
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                break;
            }
            catch (Exception ex)
            {
                failures++;
                LogElectionFailed(logger, Identity, ex);
            }
            finally
            {
                SetLeader(false);
            }

            var backoff = settings.RetryPeriodSeconds * Math.Pow(2, Math.Min(failures, 5));
            var jittered = TimeSpan.FromSeconds(backoff * (1 + (Random.Shared.NextDouble() * 0.2)));
            try
            {
                await Task.Delay(jittered, time, stoppingToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                break;
            }
        }

        // Stopping, however the elector noticed it (it may return rather than throw): writes are fenced (SetLeader(false)
        // above); hand over a lease this replica still holds.
        if (lease is not null)
        {
            await ReleaseAsync(lease).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// On a graceful stop (rolling upgrade, drain) gives up a lease this replica holds, as client-go's ReleaseOnCancel
    /// does: an empty holder that the other replicas take at their next retry, instead of leaving the control loop without
    /// a leader for the whole lease duration. The write is conditional on the lease just read, so a lease another
    /// replica holds, or takes meanwhile, is left alone (409).
    /// </summary>
    private async Task ReleaseAsync(ILock lease)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(options.LeaderElection.RenewDeadlineSeconds));
        try
        {
            var current = await lease.GetAsync(timeout.Token).ConfigureAwait(false);
            if (current.HolderIdentity != Identity)
            {
                return;
            }

            var now = time.GetUtcNow().UtcDateTime;
            var released = new LeaderElectionRecord
            {
                HolderIdentity = "",
                LeaseDurationSeconds = 1,
                AcquireTime = now,
                RenewTime = now,
                LeaderTransitions = current.LeaderTransitions,
            };
            if (await lease.UpdateAsync(released, timeout.Token).ConfigureAwait(false))
            {
                LogReleased(logger, Identity);
            }
        }
        catch (Exception ex) when (ex is HttpOperationException or HttpRequestException or OperationCanceledException)
        {
            // The lease then runs out as it would after a crash.
            LogReleaseFailed(logger, Identity, ex);
        }
    }

    /// <summary>Logs why the Lease cannot be read: at once, then again when the reason changes or a minute passed.</summary>
    private void LeaseUnreadable(string reason)
    {
        var now = time.GetUtcNow();
        if (reason == _lastLeaseFailure && now - _lastLeaseFailureLogged < TimeSpan.FromMinutes(1))
        {
            return;
        }

        _lastLeaseFailure = reason;
        _lastLeaseFailureLogged = now;
        LogLeaseUnreadable(logger, Identity, options.LeaderElection.Namespace, options.LeaderElection.LeaseName, reason);
    }

    private void SetLeader(bool leading)
    {
        if (_isLeader == leading)
        {
            return;
        }

        if (leading)
        {
            Interlocked.Increment(ref _term);
            _currentLeader = Identity;
        }
        else
        {
            _validity.Revoke();
        }

        _isLeader = leading;

        LogLeadership(logger, Identity, leading);
        LeadershipChanged?.Invoke(leading);
    }

    internal static string ResolveIdentity(string? configured) =>
        !string.IsNullOrWhiteSpace(configured) ? configured
        : Environment.GetEnvironmentVariable("HOSTNAME") is { Length: > 0 } host ? host
        : Environment.MachineName;

    [LoggerMessage(EventId = 1401, Level = LogLevel.Information, Message = "{Identity} leading: {Leading}")]
    private static partial void LogLeadership(ILogger logger, string identity, bool leading);

    [LoggerMessage(EventId = 1402, Level = LogLevel.Debug, Message = "Leader is {Leader} (seen by {Identity})")]
    private static partial void LogNewLeader(ILogger logger, string leader, string identity);

    [LoggerMessage(EventId = 1406, Level = LogLevel.Error, Message = "{Identity} cannot lead: reading the Lease {Namespace}/{LeaseName} failed: {Reason}")]
    private static partial void LogLeaseUnreadable(ILogger logger, string identity, string @namespace, string leaseName, string reason);

    [LoggerMessage(EventId = 1404, Level = LogLevel.Information, Message = "{Identity} released the leader lease on shutdown")]
    private static partial void LogReleased(ILogger logger, string identity);

    [LoggerMessage(EventId = 1405, Level = LogLevel.Warning, Message = "{Identity} could not release the leader lease on shutdown; it runs out instead")]
    private static partial void LogReleaseFailed(ILogger logger, string identity, Exception exception);

    [LoggerMessage(EventId = 1403, Level = LogLevel.Warning, Message = "Leader election of {Identity} failed; retrying")]
    private static partial void LogElectionFailed(ILogger logger, string identity, Exception exception);
}
