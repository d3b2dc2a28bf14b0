using System.Text.Json.Nodes;
using ScaleControl.Sandbox.Kubernetes.Operations;
using ScaleControl.Sandbox.Kubernetes.Resources;

namespace ScaleControl.Sandbox.Kubernetes.Cluster;

/// <summary>A core v1 Event as a control-plane component records it (what <c>kubectl describe</c> and <c>kubectl events</c> show).</summary>
internal static class ClusterEvents
{
    /// <param name="involved">The object the event is about: apiVersion, kind, namespace, name, uid.</param>
    /// <param name="fieldPath">The part of it, e.g. a kubelet's <c>spec.containers{web}</c>.</param>
    /// <param name="host">The node of a kubelet's event (its <c>source.host</c> and reporting instance).</param>
    /// <returns>The event's name, or null when it was dropped.</returns>
    public static string? Record(
        ResourceOperations operations, (string ApiVersion, string Kind, string Namespace, string Name, string Uid) involved,
        string type, string reason, string? action, string message, string component, string stamp, string? fieldPath = null, string? host = null)
    {
        var name = $"{involved.Name}.{NextNanos(stamp):x}";
        try
        {
            Create(operations, involved, type, reason, action, message, component, stamp, name, fieldPath, host);
            return name;
        }
        catch (Api.ApiException e) when (e.Code == 403)
        {
            // The namespace is being deleted: the event is dropped, as the recorder drops what the apiserver refuses.
            return null;
        }
    }

    // The recorder names an event "<name>.<unix nanos in hex>", so a list (sorted by name) has an object's events in
    // the order they happened, which kubectl describe and kubectl events keep for events of the same second. The stamp
    // has whole seconds: each event takes the next nanosecond after the last one, so names stay unique and in order.
    private static readonly Lock s_clock = new();
    private static long s_lastNanos;

    private static long NextNanos(string stamp)
    {
        var nanos = (Timestamps.Parse(stamp) ?? DateTimeOffset.UnixEpoch).ToUnixTimeMilliseconds() * 1_000_000;
        lock (s_clock)
        {
            s_lastNanos = Math.Max(s_lastNanos + 1, nanos);
            return s_lastNanos;
        }
    }

    /// <summary>
    /// The recorder's aggregation of an event seen again: count + 1 and lastTimestamp now on the same Event. False when
    /// the event is gone (deleted, or expired), so the caller records a new one.
    /// </summary>
    public static bool Repeat(ResourceOperations operations, string ns, string name, string stamp)
    {
        if (operations.Find(BuiltInResources.CoreEvents, ns, name) is not { } existing)
        {
            return false;
        }

        operations.Rewrite(BuiltInResources.CoreEvents, ns, name, (string?)existing["metadata"]?["uid"] ?? "", e =>
        {
            e["count"] = ((int?)e["count"] ?? 1) + 1;
            e["lastTimestamp"] = stamp;
        });
        return true;
    }

    private static void Create(
        ResourceOperations operations, (string ApiVersion, string Kind, string Namespace, string Name, string Uid) involved,
        string type, string reason, string? action, string message, string component, string stamp, string name, string? fieldPath, string? host)
    {
        var involvedObject = new JsonObject
        {
            ["apiVersion"] = involved.ApiVersion, ["kind"] = involved.Kind, ["name"] = involved.Name, ["namespace"] = involved.Namespace, ["uid"] = involved.Uid,
        };
        if (fieldPath is not null)
        {
            involvedObject["fieldPath"] = fieldPath;
        }

        var source = new JsonObject { ["component"] = component };
        if (host is not null)
        {
            source["host"] = host;
        }

        var body = new JsonObject
        {
            ["metadata"] = new JsonObject { ["name"] = name, ["namespace"] = involved.Namespace },
            ["involvedObject"] = involvedObject,
            ["reason"] = reason,
            ["message"] = message,
            ["type"] = type,
            ["source"] = source,
            ["firstTimestamp"] = stamp,
            ["lastTimestamp"] = stamp,
            ["count"] = 1,
        };
        if (action is not null)
        {
            body["action"] = action;
        }

        body["reportingComponent"] = component;
        body["reportingInstance"] = host ?? component + "-sandbox";
        operations.Create(BuiltInResources.CoreEvents, involved.Namespace, body);
    }
}
