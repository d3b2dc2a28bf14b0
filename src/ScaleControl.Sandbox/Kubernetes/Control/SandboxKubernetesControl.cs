using System.Text.Json.Nodes;
using ScaleControl.Sandbox.Kubernetes.Api;
using ScaleControl.Sandbox.Kubernetes.Cluster;
using ScaleControl.Sandbox.Kubernetes.Json;
using ScaleControl.Sandbox.Kubernetes.Operations;
using ScaleControl.Sandbox.Kubernetes.Resources;
using ScaleControl.Yaml;

namespace ScaleControl.Sandbox.Kubernetes.Control;

/// <summary>
/// Test and demo hooks of the sandbox cluster (not part of the Kubernetes API): seed objects, read them, run the
/// controllers now, inject faults, drop or expire watches, read the request journal.
/// </summary>
public sealed class SandboxKubernetesControl
{
    private readonly ResourceCatalog _catalog;
    private readonly ResourceOperations _operations;
    private readonly ClusterSimulator _simulator;
    private readonly FaultInjector _faults;
    private readonly RequestJournal _journal;
    private readonly NodeKubelets _kubelets;
    private readonly TimeProvider _time;

    internal SandboxKubernetesControl(
        ResourceCatalog catalog, ResourceOperations operations, ClusterSimulator simulator, FaultInjector faults, RequestJournal journal,
        NodeKubelets kubelets, TimeProvider time)
    {
        _kubelets = kubelets;
        _time = time;
        _catalog = catalog;
        _operations = operations;
        _simulator = simulator;
        _faults = faults;
        _journal = journal;
    }

    /// <summary>The cluster-wide resourceVersion of the last write.</summary>
    public long ResourceVersion => _operations.Store.ResourceVersion;

    /// <summary>The cluster started from kept state (see <see cref="SandboxKubernetesOptions.StateDirectory"/>) rather than empty.</summary>
    public bool Restored => _operations.Store.Restored;

    /// <summary>Watch streams currently open.</summary>
    public int OpenWatches => _operations.Store.OpenWatches;

    /// <summary>Requests served so far, oldest first.</summary>
    public IReadOnlyList<JournalEntry> Journal => _journal.Entries;

    public void ClearJournal() => _journal.Clear();

    /// <summary>
    /// Creates or replaces objects given as YAML (several documents allowed) or JSON. Unlike the API, seeding keeps a
    /// given status (e.g. readyReplicas of a workload that is already running). Returns the stored objects.
    /// </summary>
    public IReadOnlyList<JsonObject> Seed(string yamlOrJson) =>
        YamlJson.ParseDocuments(yamlOrJson).OfType<JsonObject>().Select(Seed).ToList();

    /// <summary>Creates or replaces one object (apiVersion, kind and metadata.name required).</summary>
    public JsonObject Seed(JsonObject obj)
    {
        var type = TypeOf(obj);
        var ns = type.Namespaced ? JsonPaths.GetString(obj, "metadata.namespace") ?? "default" : "";
        var name = JsonPaths.GetString(obj, "metadata.name") ?? throw new ArgumentException("metadata.name is required", nameof(obj));
        var body = (JsonObject)obj.DeepClone();
        body.Obj("metadata").Remove("resourceVersion");
        if (_operations.Find(type, ns, name) is null)
        {
            return _operations.Create(type, ns, body, keepStatus: true, ensureNamespace: true);
        }

        var replaced = _operations.Replace(type, ns, name, body, Subresource.None);
        return body["status"] is null || !type.HasStatusSubresource
            ? replaced
            : _operations.Replace(type, ns, name, body, Subresource.Status);
    }

    /// <summary>
    /// Seeds a Deployment <c>app=name</c> with one container requesting <paramref name="requests"/> (default 100m CPU,
    /// 128Mi memory); <paramref name="readyReplicas"/> pods already ready (as far as the nodes have room);
    /// <paramref name="terminationGracePeriodSeconds"/> in the pod template (null: the apiserver's default, 30);
    /// <paramref name="shutdownSeconds"/> the seconds its container takes to exit on SIGTERM (null: it ignores SIGTERM
    /// and takes the whole grace period; see Cluster/ContainerShutdown).
    /// </summary>
    public JsonObject SeedDeployment(
        string ns, string name, int replicas, int? readyReplicas = null, IReadOnlyDictionary<string, string>? labels = null, PodRequests? requests = null,
        int? terminationGracePeriodSeconds = null, int? shutdownSeconds = null) =>
        Seed(Workload("Deployment", ns, name, replicas, readyReplicas, labels, requests ?? PodRequests.Default, terminationGracePeriodSeconds, shutdownSeconds));

    /// <summary>
    /// Seeds a StatefulSet (serviceName = name) like <see cref="SeedDeployment"/>; <paramref name="podManagementPolicy"/>
    /// null leaves the apiserver's default (OrderedReady).
    /// </summary>
    public JsonObject SeedStatefulSet(
        string ns, string name, int replicas, int? readyReplicas = null, IReadOnlyDictionary<string, string>? labels = null, PodRequests? requests = null,
        string? podManagementPolicy = null, int? terminationGracePeriodSeconds = null, int? shutdownSeconds = null)
    {
        var statefulSet = Workload("StatefulSet", ns, name, replicas, readyReplicas, labels, requests ?? PodRequests.Default, terminationGracePeriodSeconds, shutdownSeconds);
        if (podManagementPolicy is not null)
        {
            statefulSet.Obj("spec")["podManagementPolicy"] = podManagementPolicy;
        }

        return Seed(statefulSet);
    }

    /// <summary>Seeds an autoscaling/v2 HPA on a Deployment (or StatefulSet) with the given bounds.</summary>
    public JsonObject SeedHorizontalPodAutoscaler(string ns, string name, string targetName, int minReplicas, int maxReplicas, string targetKind = "Deployment") =>
        Seed(new JsonObject
        {
            ["apiVersion"] = "autoscaling/v2",
            ["kind"] = "HorizontalPodAutoscaler",
            ["metadata"] = new JsonObject { ["name"] = name, ["namespace"] = ns },
            ["spec"] = new JsonObject
            {
                ["scaleTargetRef"] = new JsonObject { ["apiVersion"] = "apps/v1", ["kind"] = targetKind, ["name"] = targetName },
                ["minReplicas"] = minReplicas,
                ["maxReplicas"] = maxReplicas,
            },
        });

    /// <summary>The stored object (in the given apiVersion's shape), or null.</summary>
    public JsonObject? Get(string apiVersion, string kind, string ns, string name)
    {
        var type = TypeOf(apiVersion, kind);
        return _operations.Find(type, type.Namespaced ? ns : "", name);
    }

    /// <summary>All objects of a kind (in one namespace, or all when null).</summary>
    public IReadOnlyList<JsonObject> List(string apiVersion, string kind, string? ns = null)
    {
        var type = TypeOf(apiVersion, kind);
        var list = _operations.List(type, type.Namespaced ? ns : null, Selectors.LabelSelector.Everything, Selectors.FieldSelector.Everything);
        return list["items"]!.AsArray().Select(i => i!.AsObject()).ToList();
    }

    public bool Delete(string apiVersion, string kind, string ns, string name)
    {
        var type = TypeOf(apiVersion, kind);
        try
        {
            _operations.Delete(type, type.Namespaced ? ns : "", name, null);
            return true;
        }
        catch (ApiException e) when (e.Code == 404)
        {
            return false;
        }
    }

    /// <summary>Runs one pass of the cluster controllers (HPA, pod readiness, workload status) now.</summary>
    public void ReconcileNow() => _simulator.Reconcile();

    /// <summary>
    /// Stops the node's kubelet (a machine that died or lost its network): it posts no status, so 50 s later the node
    /// lifecycle controller marks the node Unknown and taints it unreachable, and its pods are evicted 300 s after that
    /// (their default tolerations). False when there is no such node.
    /// </summary>
    public bool StopKubelet(string node)
    {
        if (_operations.Find(BuiltInResources.Nodes, "", node) is null)
        {
            return false;
        }

        _kubelets.Stop(node, _time.GetUtcNow());
        return true;
    }

    /// <summary>
    /// Starts the node's kubelet again: it posts its conditions healthy at once (Ready, KubeletReady), so the node
    /// lifecycle controller takes its taints off on the next pass. False when there is no such node.
    /// </summary>
    public bool StartKubelet(string node)
    {
        if (_operations.Find(BuiltInResources.Nodes, "", node) is not { } found)
        {
            return false;
        }

        _kubelets.Start(node);
        if (!BuiltInResources.IsReady(found)) // also a node left Unknown before a sandbox restart
        {
            var stamp = Timestamps.Format(_time.GetUtcNow());
            _operations.Rewrite(BuiltInResources.Nodes, "", node, JsonPaths.GetString(found, "metadata.uid")!, o => NodeObjects.PostHealthy(o.Obj("status"), stamp));
        }

        return true;
    }

    /// <summary>Injects a fault into matching requests until the returned handle is disposed (or its Times are used up).</summary>
    public IDisposable InjectFault(SandboxFault fault) => _faults.Add(fault);

    /// <summary>Removes every injected fault (the control endpoint's DELETE /faults).</summary>
    public void ClearFaults() => _faults.Clear();

    /// <summary>Closes every open watch stream without an event, like a dropped connection.</summary>
    public void DropWatches() => _operations.Store.DropWatches();

    /// <summary>Sends ERROR 410 Expired on every open watch and forgets the history: resuming from an old version gets 410.</summary>
    public void ExpireWatches() => _operations.Store.ExpireWatches();

    private ResourceType TypeOf(JsonObject obj) =>
        TypeOf(JsonPaths.GetString(obj, "apiVersion") ?? throw new ArgumentException("apiVersion is required", nameof(obj)),
            JsonPaths.GetString(obj, "kind") ?? throw new ArgumentException("kind is required", nameof(obj)));

    private ResourceType TypeOf(string apiVersion, string kind)
    {
        var slash = apiVersion.IndexOf('/', StringComparison.Ordinal);
        var (group, version) = slash < 0 ? ("", apiVersion) : (apiVersion[..slash], apiVersion[(slash + 1)..]);
        return _catalog.All.FirstOrDefault(t => t.Group == group && t.Version == version && t.Kind == kind)
            ?? throw new ArgumentException($"the sandbox serves no {kind} in {apiVersion}");
    }

    private static JsonObject Workload(
        string kind, string ns, string name, int replicas, int? readyReplicas, IReadOnlyDictionary<string, string>? labels, PodRequests requests,
        int? terminationGracePeriodSeconds, int? shutdownSeconds)
    {
        var podLabels = new JsonObject { ["app"] = name };
        foreach (var (k, v) in labels ?? new Dictionary<string, string>())
        {
            podLabels[k] = v;
        }

        var workload = new JsonObject
        {
            ["apiVersion"] = "apps/v1",
            ["kind"] = kind,
            ["metadata"] = new JsonObject { ["name"] = name, ["namespace"] = ns, ["labels"] = podLabels.DeepClone() },
            ["spec"] = new JsonObject
            {
                ["replicas"] = replicas,
                ["selector"] = new JsonObject { ["matchLabels"] = new JsonObject { ["app"] = name } },
                ["template"] = new JsonObject
                {
                    ["metadata"] = new JsonObject { ["labels"] = podLabels },
                    ["spec"] = new JsonObject
                    {
                        ["containers"] = new JsonArray(new JsonObject
                        {
                            ["name"] = name,
                            ["image"] = $"sandbox/{name}:1",
                            ["resources"] = new JsonObject { ["requests"] = new JsonObject { ["cpu"] = requests.Cpu, ["memory"] = requests.Memory } },
                        }),
                    },
                },
            },
        };
        if (kind == "StatefulSet")
        {
            workload.Obj("spec")["serviceName"] = name;
        }

        if (terminationGracePeriodSeconds is { } grace)
        {
            workload.Obj("spec").Obj("template").Obj("spec")["terminationGracePeriodSeconds"] = grace;
        }

        if (shutdownSeconds is { } shutdown)
        {
            var container = workload.Obj("spec").Obj("template").Obj("spec")["containers"]![0]!.AsObject();
            container["env"] = new JsonArray(new JsonObject
            {
                ["name"] = Cluster.ContainerShutdown.Variable,
                ["value"] = shutdown.ToString(System.Globalization.CultureInfo.InvariantCulture),
            });
        }

        if (readyReplicas is { } ready)
        {
            workload["status"] = new JsonObject { ["replicas"] = ready, ["readyReplicas"] = ready, ["availableReplicas"] = ready, ["updatedReplicas"] = ready };
        }

        return workload;
    }
}

/// <summary>What each pod of a seeded workload requests (Kubernetes quantities).</summary>
public sealed record PodRequests(string Cpu, string Memory)
{
    public static PodRequests Default { get; } = new("100m", "128Mi");
}
