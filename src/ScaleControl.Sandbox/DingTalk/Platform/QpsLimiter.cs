using System.Collections.Concurrent;

namespace ScaleControl.Sandbox.DingTalk.Platform;

/// <summary>Per-app per-API calls per second, counted in whole-second windows of the injected clock.</summary>
public sealed class QpsLimiter(DingTalkSandboxOptions options, TimeProvider time)
{
    private readonly ConcurrentDictionary<(string App, string Api), Window> _windows = new();

    /// <summary>Counts the call; false when the app already used its quota for this API in the current second.</summary>
    public bool TryAcquire(string appKey, string api)
    {
        var second = time.GetUtcNow().ToUnixTimeSeconds();
        var window = _windows.GetOrAdd((appKey, api), _ => new Window());
        lock (window)
        {
            if (window.Second != second)
            {
                window.Second = second;
                window.Count = 0;
            }

            window.Count++;
            return window.Count <= options.QpsLimitPerAppAndApi;
        }
    }

    private sealed class Window
    {
        public long Second { get; set; }
        public int Count { get; set; }
    }
}
