using System.Net;
using System.Net.Sockets;
using System.Text.Json.Nodes;
using ScaleControl.Sandbox.Kubernetes.Api;
using ScaleControl.Sandbox.Kubernetes.Json;
using ScaleControl.Sandbox.Kubernetes.Resources;

namespace ScaleControl.Sandbox.Kubernetes.Operations;

/// <summary>
/// The Service registry's rules around its allocations (<see cref="ServiceAllocation"/>), as kube-apiserver on a
/// single-stack IPv4 cluster: keeping what was allocated when a client leaves it out and keeping clusterIP and
/// clusterIPs in step (pkg/registry/core/service/storage/storage.go patchAllocatedValues, normalizeClusterIPs), the IP
/// family fields (alloc.go initIPFamilyFields), dropping what a type change makes meaningless (strategy.go
/// dropTypeDependentFields) and refusing what validation.go refuses (ValidateService's parts a sandbox meets,
/// validateUpgradeDowngradeClusterIPs: a cluster IP never changes).
/// </summary>
internal static class ServiceSpecRules
{
    private const string None = "None";

    // storage.go patchAllocatedValues: a client that leaves out what was allocated for it keeps it.
    public static void PatchAllocatedValues(JsonObject spec, JsonObject old)
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
    public static void NormalizeClusterIPs(JsonObject spec, JsonObject? old)
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
    public static List<FieldError> InitIPFamilies(JsonObject spec, JsonObject? old)
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

    // strategy.go dropTypeDependentFields: what a type change makes meaningless goes, unless the client changed it too.
    public static void DropTypeDependentFields(JsonObject service, JsonObject spec, JsonObject old)
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
    public static List<FieldError> Validate(JsonObject spec, JsonObject? old)
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

    public static bool NeedsClusterIP(JsonObject spec) => Text(spec, "type") != ServiceDefaults.ExternalName;

    public static bool NeedsNodePort(JsonObject spec) => Text(spec, "type") is ServiceDefaults.NodePort or ServiceDefaults.LoadBalancer;

    public static bool NeedsHealthCheckNodePort(JsonObject spec) =>
        Text(spec, "type") == ServiceDefaults.LoadBalancer && Text(spec, "externalTrafficPolicy") == "Local";

    public static IEnumerable<JsonObject> Ports(JsonObject spec) => (spec["ports"] as JsonArray ?? []).OfType<JsonObject>();

    public static int NodePortOf(JsonObject port) => JsonPaths.GetInt(port, "nodePort") ?? 0;

    /// <summary>The node ports a Service's spec holds (its ports' and its health check's).</summary>
    public static IEnumerable<int> NodePorts(JsonObject spec) =>
        Ports(spec).Select(NodePortOf).Append(JsonPaths.GetInt(spec, "healthCheckNodePort") ?? 0).Where(p => p != 0);

    public static string Text(JsonObject o, string key) => JsonPaths.GetString(o, key) ?? "";

    /// <summary>A list of strings (clusterIPs, ipFamilies), empty when absent.</summary>
    public static List<string> Strings(JsonObject o, string key) =>
        (o[key] as JsonArray ?? []).Select(v => v is JsonValue s && s.TryGetValue<string>(out var text) ? text : v?.ToJsonString() ?? "").ToList();

    public static void SetStrings(JsonObject o, string key, List<string> values)
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
}
