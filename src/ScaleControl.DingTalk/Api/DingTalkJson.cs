using System.Text.Json;
using System.Text.Json.Serialization;

namespace ScaleControl.DingTalk.Api;

internal static class DingTalkJson
{
    /// <summary>camelCase, unset members left out (DingTalk rejects some explicit nulls), dictionary keys kept as given.</summary>
    public static JsonSerializerOptions Options { get; } = new(JsonSerializerDefaults.Web)
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };
}
