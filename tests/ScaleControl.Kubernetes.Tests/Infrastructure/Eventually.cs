using ScaleControl.Testing.Timing;

namespace ScaleControl.Kubernetes.Tests.Infrastructure;

/// <summary>
/// Waits for state that arrives over a watch stream (I/O, not time logic). The default deadline is what an idle
/// machine needs with margin, scaled by the tests' patience.
/// </summary>
internal static class Eventually
{
    public static async Task TrueAsync(Func<bool> condition, string because, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? Patience.Of(10));
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, $"timed out waiting until {because}");
            await Task.Delay(10);
        }
    }

    public static async Task TrueAsync(Func<Task<bool>> condition, string because, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? Patience.Of(10));
        while (!await condition())
        {
            Assert.True(DateTime.UtcNow < deadline, $"timed out waiting until {because}");
            await Task.Delay(10);
        }
    }
}
