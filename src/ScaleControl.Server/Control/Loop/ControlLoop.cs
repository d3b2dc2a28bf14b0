using Microsoft.Extensions.Options;
using ScaleControl.Core.Ports;
using ScaleControl.Server.Hosting;
using ScaleControl.Server.Telemetry;

namespace ScaleControl.Server.Control.Loop;

/// <summary>
/// The control loop: wakes every <see cref="ControlLoopOptions.TickSeconds"/> on the injected <see cref="TimeProvider"/>
/// and, on the leader only, runs one <see cref="Reconciler"/> tick. Followers keep serving the API and taps.
/// </summary>
public sealed class ControlLoop(
    Reconciler reconciler,
    ILeadership leadership,
    IOptions<ControlLoopOptions> options,
    TimeProvider time,
    ScaleControlMetrics metrics,
    ILogger<ControlLoop> logger) : BackgroundService
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
                await reconciler.TickAsync(stoppingToken);
            }
            catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
            {
                logger.TickFailed(ex);
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }
}
