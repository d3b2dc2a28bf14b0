using System.Text.Json.Nodes;

namespace ScaleControl.Sandbox.Kubernetes.Storage;

/// <summary>
/// A change to one stored object, as kept in the watch history and pushed to watchers (storage shape).
/// <see cref="Previous"/> is the state before a MODIFIED, so selector watches can tell objects entering or leaving.
/// </summary>
internal sealed record WatchEvent(string Type, string Storage, string? Namespace, long ResourceVersion, JsonObject Object, JsonObject? Previous = null)
{
    public const string Added = "ADDED";
    public const string Modified = "MODIFIED";
    public const string Deleted = "DELETED";
    public const string Error = "ERROR";
}
