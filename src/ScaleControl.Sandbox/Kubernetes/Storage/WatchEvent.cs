using System.Text.Json.Nodes;

namespace ScaleControl.Sandbox.Kubernetes.Storage;

/// <summary>A change to one stored object, as kept in the watch history and pushed to watchers (storage shape).</summary>
internal sealed record WatchEvent(string Type, string Storage, string? Namespace, long ResourceVersion, JsonObject Object)
{
    public const string Added = "ADDED";
    public const string Modified = "MODIFIED";
    public const string Deleted = "DELETED";
    public const string Error = "ERROR";
}
