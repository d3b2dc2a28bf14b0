using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json.Nodes;
using ScaleControl.Sandbox.Kubernetes.Api;
using ScaleControl.Sandbox.Kubernetes.Auth;
using ScaleControl.Sandbox.Kubernetes.Json;
using ScaleControl.Sandbox.Kubernetes.Resources;
using ScaleControl.Sandbox.Kubernetes.Selectors;
using ScaleControl.Sandbox.Kubernetes.Storage;

namespace ScaleControl.Sandbox.Kubernetes.Operations;

/// <summary>
/// The apiserver's registry semantics over the store: create/update/patch/delete with preconditions, defaulting,
/// validation, generation, status and scale subresources, CRD registration. Objects are in the requested
/// version's shape here and in storage shape in the store.
/// </summary>
internal sealed partial class ResourceOperations(ObjectStore store, ResourceCatalog catalog, SandboxKubernetesOptions options, TimeProvider time)
{
    public ObjectStore Store => store;

    /// <summary>The namespaces every cluster starts with.</summary>
    public void CreateSystemNamespaces()
    {
        foreach (var ns in new[] { "default", "kube-system", "kube-public", "kube-node-lease" })
        {
            EnsureNamespace(ns);
        }
    }

    /// <summary>After a restart from kept state: serves the custom resources of the stored CRDs again.</summary>
    public void RegisterStoredCrds()
    {
        foreach (var crd in store.List(BuiltInResources.CustomResourceDefinitions.Storage, null).Items)
        {
            AfterWrite(BuiltInResources.CustomResourceDefinitions, crd);
        }
    }

    /// <summary>The configured nodes, registered as their kubelets would (with their heartbeat Leases).</summary>
    public void CreateNodes(IEnumerable<SandboxNode> nodes, string kubeletVersion)
    {
        var index = 0;
        foreach (var node in nodes)
        {
            index++;
            if (store.Get(BuiltInResources.Nodes.Storage, "", node.Name) is null)
            {
                Create(BuiltInResources.Nodes, "", Cluster.NodeObjects.Node(node, index, kubeletVersion, Now()), keepStatus: true);
                Create(BuiltInResources.Leases, "kube-node-lease", Cluster.NodeObjects.Lease(node, Now()));
            }
        }
    }

    public JsonObject Get(ResourceType type, string ns, string name) =>
        ToView(type, store.Get(type.Storage, ns, name) ?? throw ApiErrors.NotFound(type, name));

    public JsonObject? Find(ResourceType type, string ns, string name) =>
        store.Get(type.Storage, ns, name) is { } stored ? ToView(type, stored) : null;

    public JsonObject List(ResourceType type, string? ns, LabelSelector labels, FieldSelector fields, ListPage? page = null)
    {
        page ??= ListPage.All;
        var (stored, resourceVersion) = store.List(type.Storage, ns);
        var matching = stored
            .Select(i => (Key: ListPage.Key(JsonPaths.GetString(i, "metadata.namespace") ?? "", JsonPaths.GetString(i, "metadata.name") ?? ""), Item: i))
            .Where(e => page.Start is null || string.CompareOrdinal(e.Key, page.Start) >= 0)
            .OrderBy(e => e.Key, StringComparer.Ordinal)
            .Select(e => (e.Key, View: ToView(type, e.Item)))
            .Where(e => labels.Matches(e.View) && fields.Matches(e.View))
            .ToList();
        var listVersion = page.ResourceVersion ?? resourceVersion;
        var metadata = new JsonObject { ["resourceVersion"] = listVersion.ToString(CultureInfo.InvariantCulture) };
        if (page.Limit > 0 && matching.Count > page.Limit)
        {
            // As the apiserver: the token pins the first page's resourceVersion; the count only without selectors.
            metadata["continue"] = ListPage.Token(listVersion, matching[page.Limit - 1].Key);
            if (labels.IsEverything && fields.IsEverything)
            {
                metadata["remainingItemCount"] = matching.Count - page.Limit;
            }

            matching = matching[..page.Limit];
        }

        return new JsonObject
        {
            ["apiVersion"] = type.GroupVersion,
            ["kind"] = type.ListKind,
            ["metadata"] = metadata,
            ["items"] = new JsonArray(matching.Select(e => (JsonNode)e.View).ToArray()),
        };
    }

    /// <summary>
    /// POST: a new object with uid, resourceVersion, generation 1 and creationTimestamp, in a namespace that exists
    /// (the seeding hook may create it: <paramref name="ensureNamespace"/>).
    /// </summary>
    /// <param name="owner">Recorded in managedFields as operation Update owning every field set (null: not recorded).</param>
    public JsonObject Create(ResourceType type, string ns, JsonObject body, bool keepStatus = false, bool dryRun = false, bool ensureNamespace = false, FieldOwner? owner = null)
    {
        var metadata = body["metadata"] as JsonObject ?? throw ApiErrors.BadRequest("the object has no metadata");
        if (!string.IsNullOrEmpty(JsonPaths.GetString(metadata, "resourceVersion")))
        {
            throw ApiErrors.BadRequest("resourceVersion should not be set on objects to be created");
        }

        var bodyNamespace = JsonPaths.GetString(metadata, "namespace");
        if (type.Namespaced && !string.IsNullOrEmpty(bodyNamespace) && bodyNamespace != ns)
        {
            throw ApiErrors.BadRequest("the namespace of the provided object does not match the namespace sent on the request");
        }

        var name = JsonPaths.GetString(metadata, "name");
        if (string.IsNullOrEmpty(name) && JsonPaths.GetString(metadata, "generateName") is { Length: > 0 } prefix)
        {
            name = prefix + RandomSuffix();
        }

        if (string.IsNullOrEmpty(name))
        {
            throw ApiErrors.Invalid(type.Kind, type.Group, "", [FieldError.Required("metadata.name", "name or generateName is required")]);
        }

        if (type.Namespaced && (ensureNamespace || !options.RequireExistingNamespaces) && !dryRun)
        {
            EnsureNamespace(ns);
        }
        else if (type.Namespaced && store.Get(BuiltInResources.Namespaces.Storage, "", ns) is null)
        {
            throw ApiErrors.NotFound(BuiltInResources.Namespaces, ns);
        }

        // The NamespaceLifecycle admission plugin: a namespace being deleted takes nothing new.
        if (type.Namespaced && store.Get(BuiltInResources.Namespaces.Storage, "", ns) is { } namespaceObject && DeletionRules.IsDeleting(namespaceObject))
        {
            throw ApiErrors.NamespaceTerminating(type, name, ns);
        }

        var created = store.Write(type.Storage, type.Namespaced ? ns : "", name, current =>
        {
            if (current is not null)
            {
                throw ApiErrors.AlreadyExists(type, name);
            }

            var next = (JsonObject)body.DeepClone();
            var meta = next.Obj("metadata");
            meta["name"] = name;
            if (type.Namespaced)
            {
                meta["namespace"] = ns;
            }
            else
            {
                meta.Remove("namespace");
            }

            DeletionRules.DropMarks(meta);
            meta["uid"] = Guid.NewGuid().ToString();
            meta["creationTimestamp"] = Now();
            if (type.TracksGeneration)
            {
                meta["generation"] = 1;
            }

            if (type.HasStatusSubresource && !keepStatus)
            {
                next.Remove("status");
            }

            if (type == BuiltInResources.CustomResourceDefinitions)
            {
                CrdResourceTypes.MarkEstablished(next, Now());
            }

            if (type == BuiltInResources.Pods)
            {
                DefaultTolerationSeconds.Admit(next); // a mutating admission plugin: creates only
            }

            return Finish(type, name, next, before: null, owner, Subresource.None, dryRun);
        }, dryRun);

        if (!dryRun)
        {
            AfterWrite(type, created);
        }

        return ToView(type, created);
    }

    /// <summary>PUT on the object or its status: replaces it, with the body's resourceVersion as precondition.</summary>
    public JsonObject Replace(ResourceType type, string ns, string name, JsonObject body, Subresource subresource, bool dryRun = false, FieldOwner? owner = null) =>
        Update(type, ns, name, subresource, _ => body, dryRun, owner);

    /// <summary>PATCH on the object or its status. Server-side apply creates a missing object.</summary>
    /// <param name="owner">Who a non-apply patch is recorded for in managedFields (an apply records its field manager).</param>
    public (JsonObject Object, bool Created) Patch(ResourceType type, string ns, string name, PatchRequest patch, Subresource subresource, bool dryRun = false, FieldOwner? owner = null)
    {
        var apply = patch.Kind == PatchKind.Apply && subresource == Subresource.None;
        if (apply && store.Get(type.Storage, type.Namespaced ? ns : "", name) is null)
        {
            var body = ApplyOwnership.Apply(new JsonObject { ["metadata"] = new JsonObject { ["name"] = name } }, patch, type.GroupVersion, Now());
            return (Create(type, ns, body, dryRun: dryRun), true);
        }

        // An apply records its own field manager's ownership (ApplyOwnership); any other patch is an Update by its owner.
        Func<JsonObject, JsonObject> change = apply ? current => ApplyOwnership.Apply(current, patch, type.GroupVersion, Now()) : patch.ApplyTo;
        return (Update(type, ns, name, subresource, change, dryRun, apply ? null : owner), false);
    }

    /// <summary>Writes a status computed by the sandbox's own controllers (no precondition).</summary>
    public void WriteStatus(ResourceType type, string ns, string name, string uid, Action<JsonObject> changeStatus)
    {
        try
        {
            Update(type, ns, name, Subresource.Status, current =>
            {
                if ((string?)current["metadata"]?["uid"] != uid)
                {
                    throw ApiErrors.NotFound(type, name);
                }

                changeStatus(current.Obj("status"));
                return current;
            }, owner: FieldOwner.ControllerManager);
        }
        catch (ApiException e) when (e.Code == 404)
        {
            // Deleted or replaced since the controller read it: the next pass sees the new object.
        }
    }

    /// <summary>
    /// A control-plane write of the whole object (e.g. the scheduler binding a pod and the kubelet's status at once):
    /// <paramref name="change"/> edits a copy; nothing happens when the object is gone or was replaced (another uid).
    /// </summary>
    public void Rewrite(ResourceType type, string ns, string name, string uid, Action<JsonObject> change, FieldOwner? owner = null)
    {
        try
        {
            Update(type, ns, name, Subresource.Whole, current =>
            {
                if ((string?)current["metadata"]?["uid"] != uid)
                {
                    throw ApiErrors.NotFound(type, name);
                }

                change(current);
                return current;
            }, owner: owner);
        }
        catch (ApiException e) when (e.Code == 404)
        {
            // Deleted or replaced since the controller read it: the next pass sees the new object.
        }
    }

    public JsonObject GetScale(ResourceType type, string ns, string name) => ScaleView.Of(Get(type, ns, name));

    /// <summary>PUT or PATCH of the Scale view: preconditions on the parent's resourceVersion and uid.</summary>
    public JsonObject UpdateScale(ResourceType type, string ns, string name, Func<JsonObject, JsonObject> change, bool dryRun = false, FieldOwner? owner = null)
    {
        var updated = Update(type, ns, name, Subresource.Scale, current =>
        {
            var requested = change(ScaleView.Of(current));
            var replicas = JsonPaths.GetInt(requested, "spec.replicas") ?? 0;
            if (replicas < 0)
            {
                throw ApiErrors.Invalid("Scale", "autoscaling", name, [FieldError.Invalid("spec.replicas", replicas, "must be greater than or equal to 0")]);
            }

            var next = (JsonObject)current.DeepClone();
            next["metadata"]!["resourceVersion"] = requested["metadata"]?["resourceVersion"]?.DeepClone();
            next["metadata"]!["uid"] = requested["metadata"]?["uid"]?.DeepClone() ?? current["metadata"]!["uid"]!.DeepClone();
            next.Obj("spec")["replicas"] = replicas;
            return next;
        }, dryRun, owner);
        return ScaleView.Of(updated);
    }

    public JsonObject ToView(ResourceType type, JsonObject stored)
    {
        var view = type.FromStorage?.Invoke(stored) ?? stored;
        view["apiVersion"] = type.GroupVersion;
        view["kind"] = type.Kind;
        return view;
    }

    private JsonObject Update(ResourceType type, string ns, string name, Subresource subresource, Func<JsonObject, JsonObject> change, bool dryRun = false, FieldOwner? owner = null)
    {
        var (updated, removed) = store.WriteOrRemove(type.Storage, type.Namespaced ? ns : "", name, stored =>
        {
            var current = ToView(type, stored ?? throw ApiErrors.NotFound(type, name));
            var requested = change((JsonObject)current.DeepClone());
            CheckPreconditions(type, type.Namespaced ? ns : "", name, current, requested);
            var next = subresource switch
            {
                Subresource.Status => WithStatusOf(current, requested),
                Subresource.Scale or Subresource.Whole => requested,
                _ => WithIdentityOf(type, current, requested),
            };

            if (type.TracksGeneration && !JsonNode.DeepEquals(SpecOf(current), SpecOf(next)))
            {
                next["metadata"]!["generation"] = (JsonPaths.GetInt(current, "metadata.generation") ?? 0) + 1;
            }

            DeletionRules.KeepMarks(current, next);
            return Finish(type, name, next, current, owner, subresource, dryRun);
        }, next => !HeldUp(type, next), dryRun);

        // An update that empties the finalizers of an object being deleted removes it (the registry's errEmptiedFinalizers).
        if (!dryRun)
        {
            if (removed)
            {
                AfterRemoval(type, updated);
            }
            else
            {
                AfterWrite(type, updated);
            }
        }

        return ToView(type, updated);
    }

    // The handlers' checkName, then the preconditions the body carries.
    private static void CheckPreconditions(ResourceType type, string ns, string name, JsonObject current, JsonObject requested)
    {
        var requestedName = JsonPaths.GetString(requested, "metadata.name");
        if (!string.IsNullOrEmpty(requestedName) && requestedName != name)
        {
            throw ApiErrors.BadRequest($"the name of the object ({requestedName}) does not match the name on the URL ({name})");
        }

        var requestedNamespace = JsonPaths.GetString(requested, "metadata.namespace");
        if (ns.Length > 0 && !string.IsNullOrEmpty(requestedNamespace) && requestedNamespace != ns)
        {
            throw ApiErrors.BadRequest($"the namespace of the object ({requestedNamespace}) does not match the namespace on the request ({ns})");
        }

        var version = JsonPaths.GetString(requested, "metadata.resourceVersion");
        if (!string.IsNullOrEmpty(version) && version != JsonPaths.GetString(current, "metadata.resourceVersion"))
        {
            throw ApiErrors.Conflict(type, name);
        }

        var uid = JsonPaths.GetString(requested, "metadata.uid");
        var currentUid = JsonPaths.GetString(current, "metadata.uid");
        if (!string.IsNullOrEmpty(uid) && uid != currentUid)
        {
            throw ApiErrors.Conflict(type, name, $"Precondition failed: UID in precondition: {uid}, UID in object meta: {currentUid}");
        }
    }

    // A write to the main resource keeps the server-owned metadata and, with a status subresource, the status.
    private static JsonObject WithIdentityOf(ResourceType type, JsonObject current, JsonObject requested)
    {
        var next = (JsonObject)requested.DeepClone();
        var meta = next.Obj("metadata");
        foreach (var key in new[] { "name", "namespace", "uid", "creationTimestamp", "generation", "resourceVersion" })
        {
            meta[key] = current["metadata"]?[key]?.DeepClone();
            if (meta[key] is null)
            {
                meta.Remove(key);
            }
        }

        // As the apiserver: an update that sends no managedFields keeps the recorded ones.
        if (meta["managedFields"] is null && current["metadata"]?["managedFields"] is { } managedFields)
        {
            meta["managedFields"] = managedFields.DeepClone();
        }

        if (type.HasStatusSubresource)
        {
            next["status"] = current["status"]?.DeepClone();
            if (next["status"] is null)
            {
                next.Remove("status");
            }
        }

        return next;
    }

    private static JsonObject WithStatusOf(JsonObject current, JsonObject requested)
    {
        var next = (JsonObject)current.DeepClone();
        next["status"] = requested["status"]?.DeepClone();
        return next;
    }

    private static JsonObject SpecOf(JsonObject o)
    {
        var copy = (JsonObject)o.DeepClone();
        copy.Remove("metadata");
        copy.Remove("status");
        copy.Remove("apiVersion");
        copy.Remove("kind");
        return copy;
    }

    /// <param name="before">The object before an update (null on create: then the name is checked too).</param>
    /// <param name="owner">Who the write's changes are recorded for in managedFields (null: not recorded).</param>
    /// <param name="dryRun">Nothing reaches etcd, so nothing is measured against its request limit.</param>
    private JsonObject Finish(ResourceType type, string name, JsonObject next, JsonObject? before, FieldOwner? owner, Subresource subresource, bool dryRun)
    {
        next["apiVersion"] = type.GroupVersion;
        next["kind"] = type.Kind;
        type.ApplyDefaults?.Invoke(next);
        if (type == BuiltInResources.Services)
        {
            ServiceAllocation.Prepare(next, before, ServiceHoldingsBesides(JsonPaths.GetString(next, "metadata.namespace") ?? "", name), Random.Shared);
        }

        var metadata = next.Obj("metadata");
        var errors = (before is null ? ObjectMetaRules.Name(type, name) : [])
            .Concat(ObjectMetaRules.LabelsAndAnnotations(metadata, before?["metadata"] as JsonObject))
            .Concat(before is null ? [] : DeletionRules.NoNewFinalizers(before, next))
            .Concat(IsBuiltInStatusWrite(type, subresource) ? [] : type.Validate?.Invoke(next) ?? [])
            .Concat(IsBuiltInStatusWrite(type, subresource) || before is null ? [] : type.ValidateUpdate?.Invoke(before, next) ?? [])
            .Concat(IsBuiltInStatusWrite(type, subresource) ? [] : type.ValidateWrite?.Invoke(next, before) ?? [])
            .ToList();
        if (errors.Count > 0)
        {
            throw ApiErrors.Invalid(type.Kind, type.Group, name, errors);
        }

        if (owner is not null)
        {
            RecordUpdate(type, before, next, owner, subresource);
        }

        var stored = type.ToStorage?.Invoke(next) ?? next;
        if (type.IsCustom && !dryRun)
        {
            var scope = type.Namespaced ? JsonPaths.GetString(next, "metadata.namespace") + "/" : "";
            EtcdRequestLimit.Check($"/registry/{type.Group}/{type.Plural}/{scope}{name}", stored);
        }

        return stored;
    }

    // A built-in kind's status update is validated for its status only (ValidateDeploymentStatusUpdate, …), never its spec;
    // a custom resource's status is checked against its schema as a whole.
    private static bool IsBuiltInStatusWrite(ResourceType type, Subresource subresource) => subresource == Subresource.Status && !type.IsCustom;

    // Called inside the store's write (one reentrant lock), so two creates cannot take the same cluster IP or node port.
    private ServiceHoldings ServiceHoldingsBesides(string ns, string name)
    {
        var others = store.Project(BuiltInResources.Services.Storage, o => (
                Key: (JsonPaths.GetString(o, "metadata.namespace"), JsonPaths.GetString(o, "metadata.name")),
                ClusterIPs: o["spec"] is JsonObject spec ? ServiceSpecRules.Strings(spec, "clusterIPs") : [],
                NodePorts: o["spec"] is JsonObject s ? ServiceSpecRules.NodePorts(s).ToList() : []))
            .Where(s => s.Key != (ns, name))
            .ToList();
        return new(
            others.SelectMany(s => s.ClusterIPs).Where(ip => ip != "None").ToHashSet(StringComparer.Ordinal),
            others.SelectMany(s => s.NodePorts).ToHashSet());
    }

    // As the apiserver's field manager: a write through a subresource owns only what that subresource may change,
    // one to the main resource everything but the status its status subresource owns.
    private void RecordUpdate(ResourceType type, JsonObject? before, JsonObject next, FieldOwner owner, Subresource subresource)
    {
        var (label, inScope) = subresource switch
        {
            Subresource.Status => ("status", ManagedFields.IsStatus),
            Subresource.Scale => ("scale", path => path == ManagedFields.Replicas),
            Subresource.Whole => ("", _ => true),
            _ => ("", (Func<string, bool>)(path => !type.HasStatusSubresource || !ManagedFields.IsStatus(path))),
        };
        ManagedFields.RecordUpdate(before, next, owner, label, inScope, type.GroupVersion, Now(), type.Lists);
    }

    private void AfterWrite(ResourceType type, JsonObject stored)
    {
        if (type == BuiltInResources.CustomResourceDefinitions)
        {
            catalog.RegisterCrd(JsonPaths.GetString(stored, "metadata.name")!, CrdResourceTypes.From(stored));
        }
        else if (type == RbacResources.ClusterRoles)
        {
            ClusterRoleAggregation.Run(this);
        }
    }

    private void EnsureNamespace(string ns)
    {
        if (store.Get(BuiltInResources.Namespaces.Storage, "", ns) is null)
        {
            try
            {
                Create(BuiltInResources.Namespaces, "", new JsonObject { ["metadata"] = new JsonObject { ["name"] = ns } });
            }
            catch (ApiException e) when (e.Code == 409)
            {
                // Created concurrently: fine.
            }
        }
    }

    private string Now() => time.GetUtcNow().ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    private static string RandomSuffix() => RandomNumberGenerator.GetString("bcdfghjklmnpqrstvwxz2456789", 5);
}
