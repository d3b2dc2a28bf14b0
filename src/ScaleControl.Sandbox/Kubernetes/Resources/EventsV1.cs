using System.Text.Json.Nodes;
using ScaleControl.Sandbox.Kubernetes.Api;
using ScaleControl.Sandbox.Kubernetes.Json;

namespace ScaleControl.Sandbox.Kubernetes.Resources;

/// <summary>
/// events.k8s.io/v1 Events: a view over the core/v1 Event storage (regarding = involvedObject, note = message),
/// with the strict create validation of the newer API.
/// </summary>
internal static class EventsV1
{
    // (events.k8s.io/v1 field, core/v1 field)
    private static readonly (string V1, string Core)[] s_renames =
    [
        ("regarding", "involvedObject"),
        ("note", "message"),
        ("reportingController", "reportingComponent"),
        ("deprecatedSource", "source"),
        ("deprecatedFirstTimestamp", "firstTimestamp"),
        ("deprecatedLastTimestamp", "lastTimestamp"),
        ("deprecatedCount", "count"),
    ];

    // The core Event table over the events.k8s.io/v1 names (the apiserver prints both from the same internal Event).
    private static IReadOnlyList<TableColumn> Columns { get; } =
    [
        new("Last Seen", "string", (o, c) => c.Age(JsonPaths.GetString(o, "deprecatedLastTimestamp") ?? JsonPaths.GetString(o, "series.lastObservedTime") ?? JsonPaths.GetString(o, "eventTime"))),
        new("Type", "string", (o, _) => JsonPaths.GetString(o, "type")),
        new("Reason", "string", (o, _) => JsonPaths.GetString(o, "reason")),
        new("Object", "string", (o, _) => $"{JsonPaths.GetString(o, "regarding.kind")?.ToLowerInvariant()}/{JsonPaths.GetString(o, "regarding.name")}"),
        new("Message", "string", (o, _) => JsonPaths.GetString(o, "note")),
    ];

    public static IReadOnlyList<ResourceType> Types { get; } =
    [
        new("events.k8s.io", "v1", "events", "event", "Event", Namespaced: true)
        {
            ShortNames = ["ev"],
            TracksGeneration = false,
            Model = typeof(k8s.Models.Eventsv1Event),
            StorageKey = "events",
            Validate = Validate,
            ToStorage = o => Rename(o, "v1", "Event", toCore: true),
            FromStorage = o => Rename(o, "events.k8s.io/v1", "Event", toCore: false),
            Columns = Columns,
        },
    ];

    private static JsonObject Rename(JsonObject source, string apiVersion, string kind, bool toCore)
    {
        var copy = (JsonObject)source.DeepClone();
        foreach (var (v1, core) in s_renames)
        {
            var (from, to) = toCore ? (v1, core) : (core, v1);
            if (copy[from] is { } value)
            {
                copy.Remove(from);
                copy[to] = value;
            }
        }

        copy["apiVersion"] = apiVersion;
        copy["kind"] = kind;
        return copy;
    }

    private static List<FieldError> Validate(JsonObject e)
    {
        var errors = new List<FieldError>();
        if (e["eventTime"] is null)
        {
            errors.Add(FieldError.Required("eventTime", ""));
        }

        foreach (var field in new[] { "reportingController", "reportingInstance", "action", "reason" })
        {
            if (JsonPaths.GetString(e, field) is null or "")
            {
                errors.Add(FieldError.Required(field, ""));
            }
        }

        if (JsonPaths.GetString(e, "type") is not ("Normal" or "Warning") and var type)
        {
            errors.Add(FieldError.Invalid("type", type, "has invalid value, must be one of [Normal Warning]"));
        }

        foreach (var field in new[] { "deprecatedFirstTimestamp", "deprecatedLastTimestamp", "deprecatedCount" })
        {
            if (e[field] is not null)
            {
                errors.Add(FieldError.Invalid(field, e[field]!.DeepClone(), "needs to be unset"));
            }
        }

        if (JsonPaths.GetString(e, "note") is { Length: > 1024 } note)
        {
            errors.Add(FieldError.Invalid("note", "", $"can have at most 1024 characters (got {note.Length})"));
        }

        return errors;
    }
}
