namespace ScaleControl.Server.Hosting;

public static class ServiceDecoration
{
    /// <summary>Wraps the last registration of <typeparamref name="T"/> (type, factory or instance) in a decorator, keeping its lifetime.</summary>
    public static IServiceCollection Decorate<T>(this IServiceCollection services, Func<T, IServiceProvider, T> decorate)
        where T : class
    {
        var index = services.ToList().FindLastIndex(d => d.ServiceType == typeof(T) && !d.IsKeyedService);
        if (index < 0)
        {
            throw new InvalidOperationException($"{typeof(T).Name} must be registered before it can be decorated.");
        }

        var inner = services[index];
        services[index] = ServiceDescriptor.Describe(typeof(T), sp => decorate(Resolve<T>(inner, sp), sp), inner.Lifetime);
        return services;
    }

    private static T Resolve<T>(ServiceDescriptor descriptor, IServiceProvider sp) where T : class =>
        (T)(descriptor.ImplementationInstance
            ?? descriptor.ImplementationFactory?.Invoke(sp)
            ?? ActivatorUtilities.GetServiceOrCreateInstance(sp, descriptor.ImplementationType!));
}
