using System.Text.Json.Nodes;
using ScaleControl.Sandbox.Kubernetes.Api;

namespace ScaleControl.Sandbox.Kubernetes.Resources;

/// <summary>One served resource (group, version, plural) with what discovery, storage and validation need.</summary>
internal sealed record ResourceType(string Group, string Version, string Plural, string Singular, string Kind, bool Namespaced)
{
    public IReadOnlyList<string> ShortNames { get; init; } = [];

    public IReadOnlyList<string> Categories { get; init; } = [];

    /// <summary>Writes to the main resource ignore status; status has its own subresource.</summary>
    public bool HasStatusSubresource { get; init; }

    /// <summary>Served with an autoscaling/v1 Scale subresource over spec.replicas.</summary>
    public bool HasScaleSubresource { get; init; }

    /// <summary>Objects whose generation counts spec changes (everything but metadata and status).</summary>
    public bool TracksGeneration { get; init; } = true;

    /// <summary>Objects of several served versions share one storage (e.g. custom resources with v1alpha1 and v1).</summary>
    public string StorageKey { get; init; } = "";

    /// <summary>Defined by a CRD: generic storage, no strategic merge patch.</summary>
    public bool IsCustom { get; init; }

    /// <summary>DELETE answers with the deleted object instead of a Status (the registry's ReturnDeletedObject, e.g. pods).</summary>
    public bool ReturnsDeletedObject { get; init; }

    public IReadOnlyList<TableColumn> Columns { get; init; } = [];

    /// <summary>A custom resource's structural schema (openAPIV3Schema): its fields are the ones field validation knows.</summary>
    public JsonObject? Schema { get; init; }

    /// <summary>The KubernetesClient model of a built-in kind: its fields are the ones field validation knows.</summary>
    public Type? Model { get; init; }

    /// <summary>Which lists merge by key (server-side apply, strategic merge, managedFields) and which are atomic.</summary>
    public ListSchema Lists { get; init; } = ListSchema.BuiltIn;

    public Action<JsonObject>? ApplyDefaults { get; init; }

    public Func<JsonObject, IReadOnlyList<FieldError>>? Validate { get; init; }

    /// <summary>What an update may not change, given the object before and after (the strategy's ValidateUpdate).</summary>
    public Func<JsonObject, JsonObject, IReadOnlyList<FieldError>>? ValidateUpdate { get; init; }

    /// <summary>
    /// Rules that judge a create or update knowing the object before it (null on create), e.g. a value an update may
    /// keep if it was already there (the pod validation options' "allow invalid … if the old object had it").
    /// </summary>
    public Func<JsonObject, JsonObject?, IReadOnlyList<FieldError>>? ValidateWrite { get; init; }

    /// <summary>Converts this version's shape to the storage shape (identity when null).</summary>
    public Func<JsonObject, JsonObject>? ToStorage { get; init; }

    /// <summary>Converts the storage shape to this version's shape (identity when null).</summary>
    public Func<JsonObject, JsonObject>? FromStorage { get; init; }

    public string GroupVersion => Group.Length == 0 ? Version : $"{Group}/{Version}";

    /// <summary>The name used in messages, e.g. <c>deployments.apps</c> or <c>namespaces</c>.</summary>
    public string QualifiedName => Group.Length == 0 ? Plural : $"{Plural}.{Group}";

    public string Storage => StorageKey.Length > 0 ? StorageKey : QualifiedName;

    public string ListKind => Kind + "List";

    /// <summary>The verbs discovery lists (the review kinds only take create).</summary>
    public IReadOnlyList<string> Verbs { get; init; } = AllVerbs;

    public static IReadOnlyList<string> AllVerbs { get; } =
        ["create", "delete", "deletecollection", "get", "list", "patch", "update", "watch"];
}
