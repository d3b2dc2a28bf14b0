using System.Globalization;
using ScaleControl.Sandbox.Kubernetes.Cluster;

namespace ScaleControl.Sandbox.Kubernetes.Metrics;

/// <summary>
/// What a simulated container uses. CPU follows the load: a container idles at 2 % of its CPU request and each request
/// per second its pod serves costs request × 98 % / the pod's capacity (the traffic simulator's PodCapacityQps), so a
/// pod serving its capacity uses its whole request and one at 80 % of it (a typical QPS target) about 80 % — what an
/// HPA's CPU target would see. Demand beyond capacity fails and costs nothing more. Memory is steady: 40 % of the
/// request plus a few MiB that differ per pod. A container without requests is modelled as asking 100m / 64Mi.
/// </summary>
internal static class UsageModel
{
    /// <summary>The window metrics-server reports over (its default 15 s resolution).</summary>
    public static readonly TimeSpan Window = TimeSpan.FromSeconds(15);

    public const double IdleFraction = 0.02;
    public const double MemoryFraction = 0.4;
    public const long DefaultMilliCpu = 100;
    public const long DefaultMemory = 64L << 20;

    /// <summary>The kubelet, container runtime and OS of every node, on top of its pods.</summary>
    public const long NodeSystemNanoCpu = 100_000_000;
    public const long NodeSystemMemory = 640L << 20;

    /// <param name="requestMilliCpu">The container's CPU request (0: none).</param>
    /// <param name="load">The share of its capacity the pod serves (clamped to 0..1).</param>
    public static long NanoCpu(long requestMilliCpu, double load)
    {
        var request = (requestMilliCpu > 0 ? requestMilliCpu : DefaultMilliCpu) * 1_000_000d;
        return (long)Math.Round(request * (IdleFraction + (1 - IdleFraction) * Math.Clamp(load, 0, 1)));
    }

    /// <summary>Steady memory, in whole KiB as the kubelet reports it; the part that differs per pod follows its uid.</summary>
    public static long MemoryBytes(long requestBytes, string podUid)
    {
        var baseline = (long)((requestBytes > 0 ? requestBytes : DefaultMemory) * MemoryFraction);
        return (baseline / 1024 + (long)(Fnv(podUid) % 4096)) * 1024;
    }

    /// <summary>CPU as metrics-server's quantities print it: nanocores ("12345678n"), shortened when they divide ("12m").</summary>
    public static string FormatNanoCpu(long nanoCores)
    {
        foreach (var (suffix, factor) in new[] { ("", 1_000_000_000L), ("m", 1_000_000L), ("u", 1_000L) })
        {
            if (nanoCores % factor == 0)
            {
                return (nanoCores / factor).ToString(CultureInfo.InvariantCulture) + suffix;
            }
        }

        return nanoCores.ToString(CultureInfo.InvariantCulture) + "n";
    }

    public static long ParseNanoCpu(string? text) => (long)Math.Round((Quantity.Parse(text) ?? 0) * 1_000_000_000m);

    public static string FormatMemory(long bytes) => bytes == 0 ? "0" : Quantity.FormatBytes(bytes);

    // FNV-1a: stable across processes (string.GetHashCode is not), so a pod's memory does not change on a restart.
    private static uint Fnv(string text)
    {
        var hash = 2166136261;
        foreach (var c in text)
        {
            hash = (hash ^ c) * 16777619;
        }

        return hash;
    }
}
