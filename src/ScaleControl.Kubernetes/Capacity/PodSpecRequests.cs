using k8s.Models;
using ScaleControl.Core.Capacity;

namespace ScaleControl.Kubernetes.Capacity;

/// <summary>
/// A pod's effective requests as the scheduler computes them (resourcehelper.PodRequests): the larger of the sum over
/// containers and the largest init container, plus the pod overhead. Limits are not requests and are not counted.
/// </summary>
public static class PodSpecRequests
{
    public static PodResources Of(V1PodSpec? spec)
    {
        if (spec is null)
        {
            return PodResources.None;
        }

        var cpu = spec.Containers?.Sum(c => MilliCpu(c.Resources?.Requests)) ?? 0;
        var memory = spec.Containers?.Sum(c => Bytes(c.Resources?.Requests)) ?? 0;
        foreach (var init in spec.InitContainers ?? [])
        {
            cpu = Math.Max(cpu, MilliCpu(init.Resources?.Requests));
            memory = Math.Max(memory, Bytes(init.Resources?.Requests));
        }

        return new PodResources(cpu + MilliCpu(spec.Overhead), memory + Bytes(spec.Overhead));
    }

    public static long MilliCpu(IDictionary<string, ResourceQuantity>? quantities) =>
        quantities?.TryGetValue("cpu", out var cpu) == true && cpu is not null ? (long)Math.Ceiling(cpu.ToDecimal() * 1000) : 0;

    public static long Bytes(IDictionary<string, ResourceQuantity>? quantities) =>
        quantities?.TryGetValue("memory", out var memory) == true && memory is not null ? (long)Math.Ceiling(memory.ToDecimal()) : 0;

    public static int Count(IDictionary<string, ResourceQuantity>? quantities) =>
        quantities?.TryGetValue("pods", out var pods) == true && pods is not null ? (int)pods.ToDecimal() : 0;
}
