using System.Net;
using System.Net.Sockets;
using System.Text.Json.Nodes;
using ScaleControl.Sandbox.Kubernetes.Api;
using ScaleControl.Sandbox.Kubernetes.Json;
using ScaleControl.Sandbox.Kubernetes.Resources;

namespace ScaleControl.Sandbox.Kubernetes.Operations;

/// <summary>The cluster IPs and node ports the other Services hold (what the apiserver's allocator bitmaps record).</summary>
internal sealed record ServiceHoldings(IReadOnlySet<string> ClusterIPs, IReadOnlySet<int> NodePorts);

/// <summary>
/// The Service registry's part of a write, as kube-apiserver on a single-stack IPv4 cluster with the kubeadm
/// defaults (service CIDR 10.96.0.0/12, node ports 30000-32767): keeping what it allocated when a client leaves it
/// out, the IP family fields, a cluster IP and node ports unique across Services (random in the ranges' upper bands,
/// as the allocators do), the fields a type change drops, and the cluster IP's immutability — kubernetes
/// pkg/registry/core/service/storage (storage.go beginCreate/beginUpdate, alloc.go), pkg/registry/core/service
/// strategy.go dropTypeDependentFields, pkg/apis/core/validation ValidateService/validateUpgradeDowngradeClusterIPs.
/// Runs after the defaults (<see cref="ServiceDefaults"/>), inside the store's write, so holdings cannot race.
/// </summary>
internal static class ServiceAllocation
{
    public const string ServiceCidr = "10.96.0.0/12";
    public const int FirstNodePort = 30000;
    public const int LastNodePort = 32767;

    private const uint NetworkAddress = (10u << 24) | (96u << 16);
    private const int Addresses = (1 << 20) - 2; // without the network and broadcast addresses
    private const int AddressOffset = 256; // ipallocator calculateRangeOffset: min(max(16, size/16), 256)
    private const int PortOffset = 86; // portallocator calculateRangeOffset: min(max(16, 2768/32), 128)
    private const string None = "None";

    /// <summary>Completes <paramref name="service"/> (created when <paramref name="before"/> is null) or throws the apiserver's 422.</summary>
    public static void Prepare(JsonObject service, JsonObject? before, ServiceHoldings holdings, Random random)
    {
        var name = JsonPaths.GetString(service, "metadata.name") ?? "";
        var spec = service.Obj("spec");
        var old = before?["spec"] as JsonObject;
        if (old is not null)
        {
            PatchAllocatedValues(spec, old);
        }

        NormalizeClusterIPs(spec, old);
        Throw(name, InitIPFamilies(spec, old));
        var errors = new List<FieldError>();
        if (NeedsClusterIP(spec) && (old is null || !NeedsClusterIP(old)))
        {
            AllocateClusterIP(spec, holdings, random, errors);
        }

        if (NeedsNodePort(spec))
        {
            AllocateNodePorts(spec, old, holdings, random, errors);
        }

        Throw(name, errors);
        if (old is not null)
        {
            DropTypeDependentFields(service, spec, old);
        }

        Throw(name, Validate(spec, old));
    }

    // storage.go patchAllocatedValues: a client that leaves out what was allocated for it keeps it.
    private static void PatchAllocatedValues(JsonObject spec, JsonObject old)
    {
        if (NeedsClusterIP(old) && NeedsClusterIP(spec))
        {
            if (Text(spec, "clusterIP").Length == 0 && old["clusterIP"] is { } ip)
            {
                spec["clusterIP"] = ip.DeepClone();
            }

            if (Strings(spec, "clusterIPs").Count == 0 && Strings(old, "clusterIPs") is { Count: > 0 } ips)
            {
                SetStrings(spec, "clusterIPs", ips);
            }
        }

        if (NeedsNodePort(old) && NeedsNodePort(spec))
        {
            var used = NodePorts(old).Intersect(NodePorts(spec)).ToHashSet();
            var byName = Ports(old).Where(p => NodePortOf(p) != 0).GroupBy(p => Text(p, "name")).ToDictionary(g => g.Key, g => NodePortOf(g.Last()));
            foreach (var port in Ports(spec).Where(p => NodePortOf(p) == 0))
            {
                if (byName.TryGetValue(Text(port, "name"), out var kept) && !used.Contains(kept))
                {
                    port["nodePort"] = kept;
                }
            }
        }

        if (NeedsHealthCheckNodePort(old) && NeedsHealthCheckNodePort(spec) && JsonPaths.GetInt(spec, "healthCheckNodePort") is null or 0)
        {
            spec["healthCheckNodePort"] = old["healthCheckNodePort"]?.DeepClone();
        }
    }

    // storage.go normalizeClusterIPs: clusterIP and clusterIPs[0] say the same, whichever one the client sent.
    private static void NormalizeClusterIPs(JsonObject spec, JsonObject? old)
    {
        var ip = Text(spec, "clusterIP");
        var ips = Strings(spec, "clusterIPs");
        if (old is null)
        {
            if (ip.Length > 0 && ips.Count == 0)
            {
                SetStrings(spec, "clusterIPs", [ip]);
            }

            return;
        }

        var oldIp = Text(old, "clusterIP");
        var oldIps = Strings(old, "clusterIPs");
        if (oldIps.Count > 0 && ips.Count == 0 && oldIp == ip)
        {
            SetStrings(spec, "clusterIPs", ips = oldIps);
        }

        if (oldIp != ip && oldIps.SequenceEqual(ips))
        {
            SetStrings(spec, "clusterIPs", oldIp.Length > 0 && ip.Length == 0 ? [] : [ip]);
        }
    }

    // alloc.go initIPFamilyFields on a single-stack IPv4 cluster.
    private static List<FieldError> InitIPFamilies(JsonObject spec, JsonObject? old)
    {
        var errors = new List<FieldError>();
        if (!NeedsClusterIP(spec))
        {
            return errors;
        }

        var headlessSelectorless = Text(spec, "clusterIP") == None && spec["selector"] is not JsonObject { Count: > 0 };
        if (Text(spec, "ipFamilyPolicy").Length == 0)
        {
            spec["ipFamilyPolicy"] = old?["ipFamilyPolicy"]?.DeepClone() ?? (headlessSelectorless ? "RequireDualStack" : "SingleStack");
        }

        var policy = Text(spec, "ipFamilyPolicy");
        if (policy is not ("SingleStack" or "PreferDualStack" or "RequireDualStack"))
        {
            errors.Add(FieldError.NotSupported("spec.ipFamilyPolicy", policy, ["PreferDualStack", "RequireDualStack", "SingleStack"]));
        }

        var families = Strings(spec, "ipFamilies");
        errors.AddRange(families.Select((f, i) => (f, i)).Where(e => e.f is not ("IPv4" or "IPv6"))
            .Select(e => FieldError.NotSupported($"spec.ipFamilies[{e.i}]", e.f, ["IPv4", "IPv6"])));
        var ips = Strings(spec, "clusterIPs");
        for (var i = 0; i < ips.Count && !(i == 0 && ips[0] == None); i++)
        {
            if (FamilyOf(ips[i]) is not { } family)
            {
                errors.Add(FieldError.Invalid($"spec.clusterIPs[{i}]", ips[i], "must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)"));
            }
            else if (i < families.Count && families[i] != family)
            {
                errors.Add(FieldError.Invalid($"spec.clusterIPs[{i}]", ips[i], $"expected an {families[i]} value as indicated by `ipFamilies[{i}]`"));
            }
            else if (i >= families.Count && family == "IPv6")
            {
                errors.Add(FieldError.InvalidStrings($"spec.clusterIPs[{i}]", ips, "IPv6 is not configured on this cluster"));
            }
            else if (i >= families.Count)
            {
                families.Add(family);
            }
        }

        if (errors.Count > 0)
        {
            return errors;
        }

        if (headlessSelectorless)
        {
            // A headless Service without a selector may name both families, even on a single-stack cluster.
            families = families.Count > 0 ? families : ["IPv4"];
            if (families.Count < 2 && policy != "SingleStack")
            {
                families.Add(families[0] == "IPv4" ? "IPv6" : "IPv4");
            }

            SetStrings(spec, "ipFamilies", families);
            return errors;
        }

        if (policy == "RequireDualStack")
        {
            errors.Add(FieldError.Invalid("spec.ipFamilyPolicy", policy, "this cluster is not configured for dual-stack services"));
        }

        errors.AddRange(families.Select((f, i) => (f, i)).Where(e => e.f == "IPv6")
            .Select(e => FieldError.Invalid($"spec.ipFamilies[{e.i}]", e.f, "not configured on this cluster")));
        SetStrings(spec, "ipFamilies", families.Count > 0 ? families : ["IPv4"]);
        return errors;
    }

    // alloc.go allocClusterIPs: on create (or from ExternalName); a headless Service gets none.
    private static void AllocateClusterIP(JsonObject spec, ServiceHoldings holdings, Random random, List<FieldError> errors)
    {
        var ips = Strings(spec, "clusterIPs");
        if (ips is [None, ..])
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

    // strategy.go dropTypeDependentFields: what a type change makes meaningless goes, unless the client changed it too.
    private static void DropTypeDependentFields(JsonObject service, JsonObject spec, JsonObject old)
    {
        if (NeedsClusterIP(old) && !NeedsClusterIP(spec))
        {
            if (Text(old, "clusterIP") == Text(spec, "clusterIP") && Strings(old, "clusterIPs").SequenceEqual(Strings(spec, "clusterIPs")))
            {
                spec.Remove("clusterIP");
                spec.Remove("clusterIPs");
            }

            if (Strings(old, "ipFamilies").SequenceEqual(Strings(spec, "ipFamilies")))
            {
                spec.Remove("ipFamilies");
            }

            if (Text(old, "ipFamilyPolicy") == Text(spec, "ipFamilyPolicy"))
            {
                spec.Remove("ipFamilyPolicy");
            }
        }

        if (NeedsNodePort(old) && !NeedsNodePort(spec) && NodePorts(spec).All(NodePorts(old).Contains))
        {
            foreach (var port in Ports(spec))
            {
                port.Remove("nodePort");
            }
        }

        if (NeedsHealthCheckNodePort(old) && !NeedsHealthCheckNodePort(spec) && JsonPaths.GetInt(old, "healthCheckNodePort") == JsonPaths.GetInt(spec, "healthCheckNodePort"))
        {
            spec.Remove("healthCheckNodePort");
        }

        var wasLoadBalancer = Text(old, "type") == ServiceDefaults.LoadBalancer;
        if (wasLoadBalancer && Text(spec, "type") != ServiceDefaults.LoadBalancer && spec["allocateLoadBalancerNodePorts"] is { } allocate
            && JsonNode.DeepEquals(allocate, old["allocateLoadBalancerNodePorts"]))
        {
            spec.Remove("allocateLoadBalancerNodePorts");
        }

        if (ServiceDefaults.ExternallyAccessible(old) && !ServiceDefaults.ExternallyAccessible(spec) && Text(old, "externalTrafficPolicy") == Text(spec, "externalTrafficPolicy"))
        {
            spec.Remove("externalTrafficPolicy");
        }

        if (Text(spec, "type") != ServiceDefaults.LoadBalancer)
        {
            service.Obj("status")["loadBalancer"] = new JsonObject();
        }
    }

    // validation.go ValidateService (the parts a sandbox meets) and ValidateServiceUpdate's cluster IP rules.
    private static List<FieldError> Validate(JsonObject spec, JsonObject? old)
    {
        var errors = new List<FieldError>();
        var type = Text(spec, "type");
        if (type is not (ServiceDefaults.ClusterIP or ServiceDefaults.NodePort or ServiceDefaults.LoadBalancer or ServiceDefaults.ExternalName))
        {
            errors.Add(FieldError.NotSupported("spec.type", type, ["ClusterIP", "ExternalName", "LoadBalancer", "NodePort"]));
        }

        var headless = Strings(spec, "clusterIPs") is [None];
        if (!Ports(spec).Any() && !headless && type != ServiceDefaults.ExternalName)
        {
            errors.Add(FieldError.Required("spec.ports", ""));
        }

        if (type == ServiceDefaults.ClusterIP)
        {
            errors.AddRange(Ports(spec).Select((p, i) => (p, i)).Where(e => NodePortOf(e.p) != 0)
                .Select(e => FieldError.Forbidden($"spec.ports[{e.i}].nodePort", "may not be used when `type` is 'ClusterIP'")));
        }

        if (old is null || type == ServiceDefaults.ExternalName || Text(old, "type") == ServiceDefaults.ExternalName || (headless && Strings(old, "clusterIPs") is [None]))
        {
            return errors;
        }

        var ips = Strings(spec, "clusterIPs");
        var oldIps = Strings(old, "clusterIPs");
        if (oldIps.Count > 0 && ips.Count == 0)
        {
            errors.Add(FieldError.InvalidStrings("spec.clusterIPs[0]", ips, "primary clusterIP can not be unset"));
        }

        errors.AddRange(oldIps.Zip(ips).Select((pair, i) => (pair, i)).Where(e => e.pair.First != e.pair.Second && (e.i == 0 || ips.Count == oldIps.Count))
            .Select(e => FieldError.InvalidStrings($"spec.clusterIPs[{e.i}]", ips, "may not change once set")));
        return errors;
    }

    private static void Throw(string name, List<FieldError> errors)
    {
        if (errors.Count > 0)
        {
            throw ApiErrors.Invalid("Service", "", name, errors);
        }
    }

    private static bool NeedsClusterIP(JsonObject spec) => Text(spec, "type") != ServiceDefaults.ExternalName;

    private static bool NeedsNodePort(JsonObject spec) => Text(spec, "type") is ServiceDefaults.NodePort or ServiceDefaults.LoadBalancer;

    private static bool NeedsHealthCheckNodePort(JsonObject spec) =>
        Text(spec, "type") == ServiceDefaults.LoadBalancer && Text(spec, "externalTrafficPolicy") == "Local";

    private static IEnumerable<JsonObject> Ports(JsonObject spec) => (spec["ports"] as JsonArray ?? []).OfType<JsonObject>();

    private static int NodePortOf(JsonObject port) => JsonPaths.GetInt(port, "nodePort") ?? 0;

    /// <summary>The node ports a Service's spec holds (its ports' and its health check's).</summary>
    public static IEnumerable<int> NodePorts(JsonObject spec) =>
        Ports(spec).Select(NodePortOf).Append(JsonPaths.GetInt(spec, "healthCheckNodePort") ?? 0).Where(p => p != 0);

    private static string Text(JsonObject o, string key) => JsonPaths.GetString(o, key) ?? "";

    /// <summary>A list of strings (clusterIPs, ipFamilies), empty when absent.</summary>
    public static List<string> Strings(JsonObject o, string key) =>
        (o[key] as JsonArray ?? []).Select(v => v is JsonValue s && s.TryGetValue<string>(out var text) ? text : v?.ToJsonString() ?? "").ToList();

    private static void SetStrings(JsonObject o, string key, List<string> values)
    {
        if (values.Count == 0)
        {
            o.Remove(key);
        }
        else
        {
            o[key] = new JsonArray([.. values.Select(v => (JsonNode)JsonValue.Create(v))]);
        }
    }

    private static string? FamilyOf(string text) =>
        !IPAddress.TryParse(text, out var address) ? null
        : address.AddressFamily == AddressFamily.InterNetworkV6 ? "IPv6"
        : text.Count(c => c == '.') == 3 ? "IPv4"
        : null; // "10" or "10.1" parse as IPv4 in .NET, not in Go

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
