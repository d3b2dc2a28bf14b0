using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace ScaleControl.Sandbox.Kubernetes.Http;

/// <summary>JSON as the apiserver writes it: quotes escaped as \" (not \u0022), non-ASCII kept.</summary>
internal static class WireJson
{
    private static readonly JsonSerializerOptions s_options = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };
    private static readonly JsonSerializerOptions s_indented = new(s_options) { WriteIndented = true };

    public static string Serialize(JsonNode node, bool indented = false) => node.ToJsonString(indented ? s_indented : s_options);

    /// <summary>
    /// The apiserver's isPrettyPrint: <c>?pretty=</c> as Go's ParseBool reads it, else indented for curl, Wget and
    /// browsers (by User-Agent), compact for every other client.
    /// </summary>
    public static bool Indented(string? pretty, string userAgent) => pretty is { Length: > 0 }
        ? pretty is "1" or "t" or "T" or "true" or "TRUE" or "True"
        : userAgent.StartsWith("curl", StringComparison.Ordinal) || userAgent.StartsWith("Wget", StringComparison.Ordinal)
            || userAgent.StartsWith("Mozilla/5.0", StringComparison.Ordinal);
}
