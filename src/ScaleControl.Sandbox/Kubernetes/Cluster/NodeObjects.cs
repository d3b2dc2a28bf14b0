using System.Globalization;
using System.Text.Json.Nodes;

namespace ScaleControl.Sandbox.Kubernetes.Cluster;

/// <summary>The Node objects of the configured nodes, shaped as a kubelet registers them (Ready, allocatable, nodeInfo).</summary>
internal static class NodeObjects
{
    public static JsonObject Node(SandboxNode node, int index, string kubeletVersion, string now)
    {
        var resources = new JsonObject
        {
            ["cpu"] = node.Cpu,
            ["memory"] = node.Memory,
            ["pods"] = node.MaxPods.ToString(CultureInfo.InvariantCulture),
            ["ephemeral-storage"] = "100Gi",
        };
        return new JsonObject
        {
            ["apiVersion"] = "v1",
            ["kind"] = "Node",
            ["metadata"] = new JsonObject
            {
                ["name"] = node.Name,
                ["labels"] = new JsonObject
                {
                    ["kubernetes.io/hostname"] = node.Name,
                    ["kubernetes.io/os"] = "linux",
                    ["kubernetes.io/arch"] = "amd64",
                    ["beta.kubernetes.io/os"] = "linux",
                    ["beta.kubernetes.io/arch"] = "amd64",
                },
            },
            ["spec"] = new JsonObject { ["podCIDR"] = $"10.244.{index}.0/24", ["podCIDRs"] = new JsonArray($"10.244.{index}.0/24") },
            ["status"] = new JsonObject
            {
                ["capacity"] = resources.DeepClone(),
                ["allocatable"] = resources,
                ["conditions"] = HealthyConditions(now),
                ["addresses"] = new JsonArray(
                    new JsonObject { ["type"] = "InternalIP", ["address"] = HostIp(index) },
                    new JsonObject { ["type"] = "Hostname", ["address"] = node.Name }),
                ["daemonEndpoints"] = new JsonObject { ["kubeletEndpoint"] = new JsonObject { ["Port"] = 10250 } },
                ["nodeInfo"] = new JsonObject
                {
                    ["machineID"] = $"sandbox{index:D24}",
                    ["systemUUID"] = $"00000000-0000-0000-0000-{index:D12}",
                    ["bootID"] = $"00000000-0000-0000-0001-{index:D12}",
                    ["kernelVersion"] = "6.1.0-sandbox",
                    ["osImage"] = "ScaleControl sandbox",
                    ["containerRuntimeVersion"] = "sandbox://1.0.0",
                    ["kubeletVersion"] = kubeletVersion,
                    ["kubeProxyVersion"] = kubeletVersion,
                    ["operatingSystem"] = "linux",
                    ["architecture"] = "amd64",
                },
            },
        };
    }

    /// <summary>The node's heartbeat Lease in kube-node-lease, which kubectl describe node reads.</summary>
    public static JsonObject Lease(SandboxNode node, string now) => new()
    {
        ["apiVersion"] = "coordination.k8s.io/v1",
        ["kind"] = "Lease",
        ["metadata"] = new JsonObject { ["name"] = node.Name, ["namespace"] = "kube-node-lease" },
        ["spec"] = new JsonObject { ["holderIdentity"] = node.Name, ["leaseDurationSeconds"] = 40, ["renewTime"] = now.Replace("Z", ".000000Z", StringComparison.Ordinal) },
    };

    /// <summary>
    /// A kubelet started again posts its conditions: each healthy one whose status changes gets a new transition time,
    /// and every one a new heartbeat.
    /// </summary>
    public static void PostHealthy(JsonObject status, string now)
    {
        var posted = HealthyConditions(now).OfType<JsonObject>().ToList();
        foreach (var condition in posted)
        {
            var current = StatusConditions.FindOrAdd(status, (string)condition["type"]!);
            if ((string?)current["status"] == (string?)condition["status"])
            {
                condition["lastTransitionTime"] = current["lastTransitionTime"]?.DeepClone() ?? JsonValue.Create(now);
            }

            current.Clear();
            foreach (var (key, value) in condition)
            {
                current[key] = value?.DeepClone();
            }
        }
    }

    private static JsonArray HealthyConditions(string now) => new(
        Condition("MemoryPressure", "False", "KubeletHasSufficientMemory", "kubelet has sufficient memory available", now),
        Condition("DiskPressure", "False", "KubeletHasNoDiskPressure", "kubelet has no disk pressure", now),
        Condition("PIDPressure", "False", "KubeletHasSufficientPID", "kubelet has sufficient PID available", now),
        Condition("Ready", "True", "KubeletReady", "kubelet is posting ready status", now));

    public static string HostIp(int index) => $"10.0.0.{10 + index}";

    private static JsonObject Condition(string type, string status, string reason, string message, string now) => new()
    {
        ["type"] = type,
        ["status"] = status,
        ["lastHeartbeatTime"] = now,
        ["lastTransitionTime"] = now,
        ["reason"] = reason,
        ["message"] = message,
    };
}
