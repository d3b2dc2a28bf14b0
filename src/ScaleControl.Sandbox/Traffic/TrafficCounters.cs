namespace ScaleControl.Sandbox.Traffic;

/// <summary>
/// Layout of a service's counter vector: requests, errors, the duration sum, the pushes sent that open it and the
/// cumulative histogram buckets (the last one is +Inf, equal to requests). The same layout holds totals and
/// per-second rates.
/// </summary>
internal static class TrafficCounters
{
    public const int Requests = 0;
    public const int Errors = 1;
    public const int DurationSum = 2;
    public const int Pushes = 3;
    public const int FirstBucket = 4;

    /// <summary>Upper bounds (le) of the request duration histogram, in seconds; +Inf follows.</summary>
    public static readonly double[] BucketBounds = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

    public static int Length { get; } = FirstBucket + BucketBounds.Length + 1;
}
