namespace ScaleControl.Simulation;

/// <summary>The seeded draws the replay makes (arrivals, start-up times).</summary>
internal static class RandomDraws
{
    /// <summary>A standard normal draw (Box–Muller).</summary>
    public static double Normal(Random random)
    {
        var u1 = 1.0 - random.NextDouble();
        var u2 = random.NextDouble();
        return Math.Sqrt(-2 * Math.Log(u1)) * Math.Cos(2 * Math.PI * u2);
    }
}
