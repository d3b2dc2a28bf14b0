using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;
using ScaleControl.Sandbox.Kubernetes.Api;
using ScaleControl.Sandbox.Kubernetes.Cluster;
using ScaleControl.Sandbox.Kubernetes.Http;
using ScaleControl.Sandbox.Kubernetes.Json;
using ScaleControl.Sandbox.Kubernetes.Operations;
using ScaleControl.Sandbox.Kubernetes.Resources;
using ScaleControl.Sandbox.Kubernetes.Selectors;

namespace ScaleControl.Sandbox.Kubernetes.Metrics;

/// <summary>
/// The emulated metrics-server behind metrics.k8s.io/v1beta1: a PodMetrics for every Running pod (a Pending or
/// starting pod has none, as metrics-server has no sample for it), a NodeMetrics for every node (its pods plus the
/// system's share), from <see cref="UsageModel"/> and the traffic simulator's load at the injected clock's now.
/// </summary>
internal sealed class MetricsServer(ResourceOperations operations, TimeProvider time, Lazy<ISandboxWorkloadLoad?> load)
{
    private const string ApiVersion = MetricsResources.Group + "/v1beta1";

    /// <summary>Answers a GET (get or list) of pods or nodes metrics; anything else is the 405 of a get/list-only resource.</summary>
    public JsonObject Serve(HttpRequest request, RequestInfo info, bool table)
    {
        if (!HttpMethods.IsGet(request.Method) || WatchStreamer.IsTrue(request.Query["watch"]) || info.Subresource != Subresource.None)
        {
            throw ApiErrors.MethodNotAllowed(request.Method);
        }

        var now = time.GetUtcNow();
        var usage = Sample(now);
        var pods = info.Type == MetricsResources.PodMetrics;
        IEnumerable<JsonObject> items;
        if (info.Name is { } name)
        {
            items = [pods ? GetPod(usage, info.Namespace!, name) : GetNode(usage, name)];
        }
        else
        {
            var source = pods ? BuiltInResources.Pods : BuiltInResources.Nodes;
            var listed = operations.List(source, info.Namespace, LabelSelector.Parse(request.Query["labelSelector"]),
                FieldSelector.Parse(request.Query["fieldSelector"], source))["items"]!.AsArray().OfType<JsonObject>();
            items = pods
                ? listed.Where(p => usage.Pods.ContainsKey(Key(p))).Select(p => PodMetrics(usage, p))
                : listed.Select(n => NodeMetrics(usage, n));
        }

        var list = items.ToList();
        if (table)
        {
            return TableRenderer.Render(info.Type, list, info.Name is null ? new JsonObject() : null, now);
        }

        return info.Name is not null ? list[0] : new JsonObject
        {
            ["kind"] = info.Type.ListKind,
            ["apiVersion"] = ApiVersion,
            ["metadata"] = new JsonObject(),
            ["items"] = new JsonArray([.. list]),
        };
    }

    /// <summary>
    /// What the HPA controller's resource metrics client reads: every pod that has PodMetrics now, by namespace and
    /// name, with its containers' CPU (nanocores) and memory (bytes).
    /// </summary>
    public IReadOnlyDictionary<(string Namespace, string Name), IReadOnlyList<ContainerUsage>> ReadPodUsage() =>
        Sample(time.GetUtcNow()).Pods.ToDictionary(p => p.Key, p => (IReadOnlyList<ContainerUsage>)p.Value.Containers);

    private JsonObject GetPod(Usage usage, string ns, string name)
    {
        var pod = operations.Get(BuiltInResources.Pods, ns, name);
        return usage.Pods.ContainsKey(Key(pod)) ? PodMetrics(usage, pod) : throw ApiErrors.NotFound(MetricsResources.PodMetrics, $"{ns}/{name}");
    }

    private JsonObject GetNode(Usage usage, string name) => NodeMetrics(usage, operations.Get(BuiltInResources.Nodes, "", name));

    private static JsonObject PodMetrics(Usage usage, JsonObject pod) => Item("PodMetrics", usage, pod, "containers", new JsonArray([..
        usage.Pods[Key(pod)].Containers.Select(c => (JsonNode)new JsonObject { ["name"] = c.Name, ["usage"] = Quantities(c.NanoCpu, c.Memory) })]));

    private static JsonObject NodeMetrics(Usage usage, JsonObject node)
    {
        var name = JsonPaths.GetString(node, "metadata.name")!;
        var onNode = usage.Pods.Values.Where(p => p.Node == name).SelectMany(p => p.Containers).ToList();
        return Item("NodeMetrics", usage, node, "usage", Quantities(
            UsageModel.NodeSystemNanoCpu + onNode.Sum(c => c.NanoCpu), UsageModel.NodeSystemMemory + onNode.Sum(c => c.Memory)));
    }

    // As metrics-server writes them: the object's name, namespace and labels, created now; the sample's end and window.
    private static JsonObject Item(string kind, Usage usage, JsonObject source, string field, JsonNode value)
    {
        var metadata = new JsonObject { ["name"] = JsonPaths.GetString(source, "metadata.name") };
        if (JsonPaths.GetString(source, "metadata.namespace") is { } ns)
        {
            metadata["namespace"] = ns;
        }

        metadata["creationTimestamp"] = usage.Timestamp;
        if (source["metadata"]?["labels"] is JsonObject labels)
        {
            metadata["labels"] = labels.DeepClone();
        }

        return new JsonObject
        {
            ["kind"] = kind,
            ["apiVersion"] = ApiVersion,
            ["metadata"] = metadata,
            ["timestamp"] = usage.Timestamp,
            ["window"] = $"{UsageModel.Window.TotalSeconds:0}s",
            [field] = value,
        };
    }

    private static JsonObject Quantities(long nanoCpu, long memory) => new()
    {
        ["cpu"] = UsageModel.FormatNanoCpu(nanoCpu),
        ["memory"] = UsageModel.FormatMemory(memory),
    };

    // Every Running pod's containers at now: its workload's demand over the window shared by that workload's serving pods.
    private Usage Sample(DateTimeOffset now)
    {
        var all = operations.List(BuiltInResources.Pods, null, LabelSelector.Everything, FieldSelector.Everything)["items"]!.AsArray().OfType<JsonObject>().ToList();
        var owners = new PodWorkloads(operations);
        var ready = all.Where(BuiltInResources.IsServing)
            .GroupBy(owners.Of).Where(g => g.Key is not null).ToDictionary(g => g.Key!.Value, g => g.Count());
        var loads = new Dictionary<(string, string), WorkloadLoad?>();
        var pods = new Dictionary<(string, string), PodUsage>();
        foreach (var pod in all.Where(p => JsonPaths.GetString(p, "status.phase") == "Running"))
        {
            var workload = owners.Of(pod);
            var share = 0d;
            if (workload is { } w && BuiltInResources.IsServing(pod))
            {
                if (!loads.TryGetValue(w, out var l))
                {
                    loads[w] = l = load.Value?.Load(w.Namespace, w.Name, UsageModel.Window);
                }

                share = l is null ? 0 : l.DemandQps / ready[w] / l.PodCapacityQps;
            }

            pods[Key(pod)] = new PodUsage(JsonPaths.GetString(pod, "spec.nodeName"), Containers(pod, share));
        }

        return new Usage(Timestamps.Format(now), pods);
    }

    private static List<ContainerUsage> Containers(JsonObject pod, double share)
    {
        var uid = JsonPaths.GetString(pod, "metadata.uid") ?? "";
        return [.. (pod["spec"]?["containers"] as JsonArray ?? []).OfType<JsonObject>().Select(c => new ContainerUsage(
            JsonPaths.GetString(c, "name") ?? "",
            UsageModel.NanoCpu(Quantity.MilliCpu(JsonPaths.GetString(c["resources"], "requests.cpu")), share),
            UsageModel.MemoryBytes(Quantity.Bytes(JsonPaths.GetString(c["resources"], "requests.memory")), uid + JsonPaths.GetString(c, "name"))))];
    }

    private static (string, string) Key(JsonObject pod) =>
        (JsonPaths.GetString(pod, "metadata.namespace") ?? "", JsonPaths.GetString(pod, "metadata.name") ?? "");

    private sealed record Usage(string Timestamp, Dictionary<(string, string), PodUsage> Pods);

    private sealed record PodUsage(string? Node, List<ContainerUsage> Containers);

}

/// <summary>One container's usage in a PodMetrics: CPU in nanocores, memory in bytes.</summary>
internal sealed record ContainerUsage(string Name, long NanoCpu, long Memory);
