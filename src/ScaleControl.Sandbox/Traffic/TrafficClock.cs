using Microsoft.Extensions.Hosting;

namespace ScaleControl.Sandbox.Traffic;

/// <summary>
/// Advances the simulation every second even when nobody reads it, so each simulated second sees the ready
/// pods of that moment (the capacity model follows scaling as it happens, not in arrears).
/// </summary>
internal sealed class TrafficClock(TrafficSimulator simulator, TimeProvider time) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(1), time);
        while (await timer.WaitForNextTickAsync(stoppingToken))
            simulator.Read(static _ => 0);
    }
}
