using System.Diagnostics;
using System.Globalization;

namespace ScaleControl.Testing.Timing;

/// <summary>
/// How long tests that run real processes on real time wait for something that is bound to happen. A deadline is an
/// upper bound that costs time only when something is really wrong, so it is generous: the deadline a test names
/// (what a healthy idle machine needs, with margin) times <see cref="Factor"/>, for a CI runner with two cores shared
/// with a build and other test processes, where a fresh process can take many seconds just to JIT.
/// <c>SCALECONTROL_TEST_PATIENCE</c> overrides the factor.
/// </summary>
public static class Patience
{
    public const string Variable = "SCALECONTROL_TEST_PATIENCE";
    private const double DefaultFactor = 3;

    public static double Factor { get; } =
        double.TryParse(Environment.GetEnvironmentVariable(Variable), NumberStyles.Float, CultureInfo.InvariantCulture, out var factor) && factor >= 1
            ? factor
            : DefaultFactor;

    public static TimeSpan Of(double seconds) => TimeSpan.FromSeconds(seconds * Factor);

    /// <summary>
    /// Polls <paramref name="condition"/> (something another thread makes true, e.g. a continuation a fake clock
    /// released) until it holds or <see cref="Of"/>(<paramref name="seconds"/>) has passed; whether it holds.
    /// </summary>
    public static async Task<bool> UntilAsync(Func<bool> condition, double seconds)
    {
        var waited = Stopwatch.StartNew();
        while (!condition() && waited.Elapsed < Of(seconds))
        {
            await Task.Delay(5);
        }

        return condition();
    }

    /// <summary><see cref="UntilAsync(Func{bool}, double)"/> for a condition that is itself asked over the wire (a request tried until it is answered as expected).</summary>
    public static async Task<bool> UntilAsync(Func<Task<bool>> condition, double seconds)
    {
        var waited = Stopwatch.StartNew();
        while (!await condition())
        {
            if (waited.Elapsed >= Of(seconds))
            {
                return false;
            }

            await Task.Delay(5);
        }

        return true;
    }
}
