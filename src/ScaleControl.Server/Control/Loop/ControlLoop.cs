using Microsoft.Extensions.Options;
using ScaleControl.Core.Ports;
using ScaleControl.Kubernetes.Leadership;
using ScaleControl.Server.Hosting;
using ScaleControl.Server.Telemetry;

namespace ScaleControl.Server.Control.Loop;

/// <summary>
/// The control loop: wakes every <see cref="ControlLoopOptions.TickSeconds"/> on the injected <see cref="TimeProvider"/>
/// and, on the leader only, runs one <see cref="Reconciler"/> tick. Followers keep serving the API and taps.
/// A tick that outlives its term (the lease was lost while it ran) stops at its next write.
/// </summary>
public sealed class ControlLoop(
    Reconciler reconciler,
    ILeadership leadership,
    IOptions<ControlLoopOptions> options,
    TimeProvider time,
    ScaleControlMetrics metrics,
    ILogger<ControlLoop> logger,
    LeaderFence? fence = null) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var settings = options.Value;
        await Task.Delay(TimeSpan.FromSeconds(settings.StartupDelaySeconds), time, stoppingToken);
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(settings.TickSeconds), time);
        do
        {
            metrics.IsLeader.Record(leadership.IsLeader ? 1 : 0);
            if (!leadership.IsLeader)
            {
                continue;
            }

            try
            {
                // The tick's writes are fenced on this term: a lease lost mid-tick stops them (see LeaderFence).
                using var term = fence?.EnterTick();
                await reconciler.TickAsync(stoppingToken);
            }
            catch (LeadershipLostException ex)
            {
                logger.LeadershipLostMidTick(ex.Message);
            }
            catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
            {
                logger.TickFailed(ex);
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }
}
