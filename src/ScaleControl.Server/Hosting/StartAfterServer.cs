namespace ScaleControl.Server.Hosting;

/// <summary>
/// Hosted services start before Kestrel listens. In sandbox mode the adapters' background work (watch caches, the
/// DingTalk Stream connection) talks to this very server, so it is held back until the application has started
/// instead of failing its first attempts against a closed port. The inner service still hears that the host begins
/// to stop (<see cref="IHostedLifecycleService.StoppingAsync"/>), before any service stops.
/// </summary>
public sealed class StartAfterServer(IHostedService inner, IHostApplicationLifetime lifetime) : IHostedLifecycleService
{
    private Task _started = Task.CompletedTask;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        lifetime.ApplicationStarted.Register(() => _started = inner.StartAsync(lifetime.ApplicationStopping));
        return Task.CompletedTask;
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        await _started.WaitAsync(cancellationToken).ContinueWith(_ => { }, TaskScheduler.Default);
        await inner.StopAsync(cancellationToken);
    }

    public Task StartingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppingAsync(CancellationToken cancellationToken) =>
        inner is IHostedLifecycleService lifecycle ? lifecycle.StoppingAsync(cancellationToken) : Task.CompletedTask;

    public Task StoppedAsync(CancellationToken cancellationToken) =>
        inner is IHostedLifecycleService lifecycle ? lifecycle.StoppedAsync(cancellationToken) : Task.CompletedTask;

    /// <summary>Wraps every hosted service that <paramref name="register"/> adds.</summary>
    public static void Wrap(IServiceCollection services, Action<IServiceCollection> register)
    {
        var before = services.Count;
        register(services);
        for (var i = before; i < services.Count; i++)
        {
            var descriptor = services[i];
            if (descriptor.ServiceType != typeof(IHostedService) || descriptor.IsKeyedService)
            {
                continue;
            }

            services[i] = ServiceDescriptor.Singleton<IHostedService>(sp => new StartAfterServer(
                (IHostedService)(descriptor.ImplementationInstance
                    ?? descriptor.ImplementationFactory?.Invoke(sp)
                    ?? ActivatorUtilities.CreateInstance(sp, descriptor.ImplementationType!)),
                sp.GetRequiredService<IHostApplicationLifetime>()));
        }
    }
}
