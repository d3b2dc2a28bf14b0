using System.Net;
using System.Text.Json.Nodes;
using ScaleControl.Sandbox.Kubernetes.Api;
using ScaleControl.Sandbox.Kubernetes.Json;
using ScaleControl.Sandbox.Kubernetes.Resources;
using static ScaleControl.Sandbox.Kubernetes.Operations.ServiceSpecRules;

namespace ScaleControl.Sandbox.Kubernetes.Operations;

/// <summary>The cluster IPs and node ports the other Services hold (what the apiserver's allocator bitmaps record).</summary>
internal sealed record ServiceHoldings(IReadOnlySet<string> ClusterIPs, IReadOnlySet<int> NodePorts);

/// <summary>
/// The Service registry's part of a write, in kube-apiserver's order (pkg/registry/core/service/storage storage.go
/// beginCreate/beginUpdate, then the strategy): what a client left out is kept, the IP family fields set, a cluster IP
/// and node ports allocated unique across Services with the kubeadm defaults (service CIDR 10.96.0.0/12, node ports
/// 30000-32767; random in the ranges' upper bands, as alloc.go's allocators), what a type change makes meaningless
/// dropped, and the result validated (<see cref="ServiceSpecRules"/>). Runs after the defaults
/// (<see cref="ServiceDefaults"/>), inside the store's write, so holdings cannot race.
/// </summary>
internal static class ServiceAllocation
{
    public const string ServiceCidr = "10.96.0.0/12";

    /// <summary>The range's first address, which the apiserver gives its own default/kubernetes Service.</summary>
    public const string FirstAddress = "10.96.0.1";
    public const int FirstNodePort = 30000;
    public const int LastNodePort = 32767;

    private const uint NetworkAddress = (10u << 24) | (96u << 16);
    private const int Addresses = (1 << 20) - 2; // without the network and broadcast addresses
    private const int AddressOffset = 256; // ipallocator calculateRangeOffset: min(max(16, size/16), 256)
    private const int PortOffset = 86; // portallocator calculateRangeOffset: min(max(16, 2768/32), 128)

    /// <summary>Completes <paramref name="service"/> (created when <paramref name="before"/> is null) or throws the apiserver's 422.</summary>
    public static void Prepare(JsonObject service, JsonObject? before, ServiceHoldings holdings, Random random)
    {
        var name = JsonPaths.GetString(service, "metadata.name") ?? "";
        var spec = service.Obj("spec");
        var old = before?["spec"] as JsonObject;
        if (old is not null)
        {
            ServiceSpecRules.PatchAllocatedValues(spec, old);
        }

        ServiceSpecRules.NormalizeClusterIPs(spec, old);
        Throw(name, ServiceSpecRules.InitIPFamilies(spec, old));
        var errors = new List<FieldError>();
        if (ServiceSpecRules.NeedsClusterIP(spec) && (old is null || !ServiceSpecRules.NeedsClusterIP(old)))
        {
            AllocateClusterIP(spec, holdings, random, errors);
        }

        if (ServiceSpecRules.NeedsNodePort(spec))
        {
            AllocateNodePorts(spec, old, holdings, random, errors);
        }

        Throw(name, errors);
        if (old is not null)
        {
            ServiceSpecRules.DropTypeDependentFields(service, spec, old);
        }

        Throw(name, ServiceSpecRules.Validate(spec, old));
    }

    // alloc.go allocClusterIPs: on create (or from ExternalName); a headless Service gets none.
    private static void AllocateClusterIP(JsonObject spec, ServiceHoldings holdings, Random random, List<FieldError> errors)
    {
        var ips = Strings(spec, "clusterIPs");
        if (ips is ["None", ..])
        {
            return;
        }

        if (ips.Count == 0)
        {
            var index = FreeIndex(Addresses, AddressOffset, i => holdings.ClusterIPs.Contains(AddressAt(i)), random);
            if (index < 0)
            {
                throw ApiErrors.Internal("failed to allocate a serviceIP: range is full");
            }

            ips = [AddressAt(index)];
        }
        else if (!InRange(ips[0]))
        {
            errors.Add(FieldError.InvalidStrings("spec.clusterIPs", ips,
                $"failed to allocate IP {ips[0]}: the provided IP ({ips[0]}) is not in the valid range. The range of valid IPs is {ServiceCidr}"));
            return;
        }
        else if (holdings.ClusterIPs.Contains(ips[0]))
        {
            errors.Add(FieldError.InvalidStrings("spec.clusterIPs", ips, $"failed to allocate IP {ips[0]}: provided IP is already allocated"));
            return;
        }

        SetStrings(spec, "clusterIPs", ips);
        spec["clusterIP"] = ips[0];
    }

    // alloc.go initNodePorts/updateNodePorts: a requested port must be free and in range; the others get one
    // (ports sharing a number, e.g. 53 TCP and UDP, share one on create), as does the health check of a Local LoadBalancer.
    private static void AllocateNodePorts(JsonObject spec, JsonObject? old, ServiceHoldings holdings, Random random, List<FieldError> errors)
    {
        var kept = old is null ? [] : NodePorts(old).Append(JsonPaths.GetInt(old, "healthCheckNodePort") ?? 0).ToHashSet();
        var mine = new HashSet<int>();
        var byServicePort = new Dictionary<int, int>();
        var allocate = Text(spec, "type") == ServiceDefaults.NodePort || (bool?)spec["allocateLoadBalancerNodePorts"] != false;
        var ports = Ports(spec).ToList();
        for (var i = 0; i < ports.Count; i++)
        {
            var number = JsonPaths.GetInt(ports[i], "port") ?? 0;
            var requested = NodePortOf(ports[i]);
            if (requested == 0 && old is null)
            {
                requested = byServicePort.GetValueOrDefault(number, ports.Skip(i).Where(p => JsonPaths.GetInt(p, "port") == number).Select(NodePortOf).FirstOrDefault(n => n != 0));
            }

            if (requested != 0)
            {
                if (!kept.Contains(requested) && !mine.Contains(requested) && NodePortProblem(requested, holdings) is { } problem)
                {
                    errors.Add(FieldError.Invalid($"spec.ports[{i}].nodePort", requested, problem));
                    continue;
                }

                ports[i]["nodePort"] = requested;
            }
            else if (allocate)
            {
                ports[i]["nodePort"] = requested = NextNodePort(holdings, mine, random);
            }

            mine.Add(requested);
            byServicePort.TryAdd(number, requested);
        }

        if (NeedsHealthCheckNodePort(spec))
        {
            var requested = JsonPaths.GetInt(spec, "healthCheckNodePort") ?? 0;
            if (requested == 0)
            {
                spec["healthCheckNodePort"] = NextNodePort(holdings, mine, random);
            }
            else if (!kept.Contains(requested) && NodePortProblem(requested, holdings) is { } problem)
            {
                errors.Add(FieldError.Invalid("spec.healthCheckNodePort", requested, problem));
            }
        }
    }

    private static string? NodePortProblem(int port, ServiceHoldings holdings) =>
        port is < FirstNodePort or > LastNodePort ? $"provided port is not in the valid range. The range of valid ports is {FirstNodePort}-{LastNodePort}"
        : holdings.NodePorts.Contains(port) ? "provided port is already allocated"
        : null;

    private static int NextNodePort(ServiceHoldings holdings, HashSet<int> mine, Random random)
    {
        var index = FreeIndex(LastNodePort - FirstNodePort + 1, PortOffset, i => holdings.NodePorts.Contains(FirstNodePort + i) || mine.Contains(FirstNodePort + i), random);
        return index >= 0 ? FirstNodePort + index : throw ApiErrors.Internal("failed to allocate a nodePort: range is full");
    }

    // The allocators' RandomScanStrategyWithOffset: from a random place in the upper band, then the lower band.
    private static int FreeIndex(int size, int offset, Func<int, bool> taken, Random random)
    {
        var start = random.Next(offset, size);
        for (var n = 0; n < size - offset; n++)
        {
            var i = offset + ((start - offset + n) % (size - offset));
            if (!taken(i))
            {
                return i;
            }
        }

        for (var i = 0; i < offset; i++)
        {
            if (!taken(i))
            {
                return i;
            }
        }

        return -1;
    }

    private static void Throw(string name, List<FieldError> errors)
    {
        if (errors.Count > 0)
        {
            throw ApiErrors.Invalid("Service", "", name, errors);
        }
    }

    private static bool InRange(string ip)
    {
        var bytes = IPAddress.Parse(ip).GetAddressBytes();
        var value = ((uint)bytes[0] << 24) | ((uint)bytes[1] << 16) | ((uint)bytes[2] << 8) | bytes[3];
        return value > NetworkAddress && value - NetworkAddress <= Addresses;
    }

    private static string AddressAt(int index)
    {
        var value = NetworkAddress + 1 + (uint)index;
        return $"{value >> 24}.{(value >> 16) & 255}.{(value >> 8) & 255}.{value & 255}";
    }
}
