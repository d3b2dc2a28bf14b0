using k8s;
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

    public bool IsLeader => _isLeader;

    public string Identity { get; } = ResolveIdentity(options.LeaderElection.Identity);

    public string? CurrentLeader => _currentLeader;

    /// <summary>Raised with true when this replica starts leading and false when it stops.</summary>
    public event Action<bool>? LeadershipChanged;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var settings = options.LeaderElection;
        var failures = 0;
        while (!stoppingToken.IsCancellationRequested)
        {
            var config = new LeaderElectionConfig(new LeaseLock(client, settings.Namespace, settings.LeaseName, Identity))
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
    }

    private void SetLeader(bool leading)
    {
        if (_isLeader == leading)
        {
            return;
        }

        _isLeader = leading;
        if (leading)
        {
            _currentLeader = Identity;
        }

        LogLeadership(logger, Identity, leading);
        LeadershipChanged?.Invoke(leading);
    }

    private static string ResolveIdentity(string? configured) =>
        !string.IsNullOrWhiteSpace(configured) ? configured
        : Environment.GetEnvironmentVariable("HOSTNAME") is { Length: > 0 } host ? host
        : Environment.MachineName;

    [LoggerMessage(EventId = 1401, Level = LogLevel.Information, Message = "{Identity} leading: {Leading}")]
    private static partial void LogLeadership(ILogger logger, string identity, bool leading);

    [LoggerMessage(EventId = 1402, Level = LogLevel.Debug, Message = "Leader is {Leader} (seen by {Identity})")]
    private static partial void LogNewLeader(ILogger logger, string leader, string identity);

    [LoggerMessage(EventId = 1403, Level = LogLevel.Warning, Message = "Leader election of {Identity} failed; retrying")]
    private static partial void LogElectionFailed(ILogger logger, string identity, Exception exception);
}
