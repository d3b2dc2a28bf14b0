using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace ScaleControl.Sandbox.DingTalk.Platform;

/// <summary>Serializer settings of every emulator response: web defaults (camelCase), enums as strings.</summary>
internal static class SandboxJson
{
    public static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web)
    {
        Converters = { new JsonStringEnumConverter() },

        // DingTalk answers raw UTF-8 ("无效的clientId…", "+" in keys), not \uXXXX escapes.
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };
}
