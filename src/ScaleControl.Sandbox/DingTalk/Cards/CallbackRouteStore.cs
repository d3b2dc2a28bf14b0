using System.Collections.Concurrent;

namespace ScaleControl.Sandbox.DingTalk.Cards;

/// <summary>Registered HTTP card-callback routes per app: <c>callbackRouteKey</c> → URL and optional apiSecret.</summary>
public sealed class CallbackRouteStore
{
    private readonly ConcurrentDictionary<(string App, string Key), SandboxCallbackRoute> _routes = new();

    public CallbackRouteStore(DingTalkSandboxOptions options)
    {
        foreach (var route in options.CallbackRoutes)
        {
            _routes[(route.AppKey, route.CallbackRouteKey)] = route;
        }
    }

    public IReadOnlyList<SandboxCallbackRoute> All => [.. _routes.Values.OrderBy(r => r.CallbackRouteKey, StringComparer.Ordinal)];

    public SandboxCallbackRoute? Find(string appKey, string key) => _routes.GetValueOrDefault((appKey, key));

    /// <summary>Inserts a new key, overwrites only with <paramref name="forceUpdate"/>; returns what is registered afterwards.</summary>
    public (SandboxCallbackRoute Route, bool Existed) Register(SandboxCallbackRoute route, bool forceUpdate)
    {
        var key = (route.AppKey, route.CallbackRouteKey);
        while (true)
        {
            if (_routes.TryGetValue(key, out var existing))
            {
                if (!forceUpdate)
                {
                    return (existing, true);
                }

                if (_routes.TryUpdate(key, route, existing))
                {
                    return (route, true);
                }
            }
            else if (_routes.TryAdd(key, route))
            {
                return (route, false);
            }
        }
    }
}
