using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace ScaleControl.Sandbox.Kubernetes.Http;

/// <summary>JSON as the apiserver writes it: quotes escaped as \" (not \u0022), non-ASCII kept.</summary>
internal static class WireJson
{
    private static readonly JsonSerializerOptions s_options = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static string Serialize(JsonNode node) => node.ToJsonString(s_options);
}
