using System.Text.Json.Nodes;

namespace ScaleControl.Sandbox.Kubernetes.Json;

/// <summary>An object's <c>metadata.ownerReferences</c>, as the controllers read them.</summary>
internal static class OwnerReferences
{
    /// <summary>The reference marked <c>controller: true</c> (metav1.GetControllerOf); null when no controller owns it.</summary>
    public static JsonObject? Controller(JsonObject o) =>
        (o["metadata"]?["ownerReferences"] as JsonArray)?.OfType<JsonObject>().FirstOrDefault(r => (bool?)r["controller"] == true);
}
