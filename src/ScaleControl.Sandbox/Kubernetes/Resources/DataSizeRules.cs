using System.Text;
using System.Text.Json.Nodes;
using ScaleControl.Sandbox.Kubernetes.Api;

namespace ScaleControl.Sandbox.Kubernetes.Resources;

/// <summary>
/// core/validation's size limit on ConfigMaps and Secrets (MaxSecretSize, 1 MiB): the values' bytes, decoded from
/// base64 where the wire carries bytes. ValidateConfigMap reports it on the whole object (the path <c>[]</c>),
/// ValidateSecret on <c>data</c>.
/// </summary>
internal static class DataSizeRules
{
    public const int MaxDataBytes = 1024 * 1024;

    public static List<FieldError> ConfigMap(JsonObject configMap) =>
        TextBytes(configMap["data"]) + Base64Bytes(configMap["binaryData"]) > MaxDataBytes ? [FieldError.TooLong("[]", MaxDataBytes)] : [];

    // stringData is already merged into data (base64) by the Secret's defaults, as the apiserver does before validation.
    public static List<FieldError> Secret(JsonObject secret) =>
        Base64Bytes(secret["data"]) > MaxDataBytes ? [FieldError.TooLong("data", MaxDataBytes)] : [];

    // Go's len() of a string: its UTF-8 bytes.
    private static long TextBytes(JsonNode? values) => Values(values).Sum(v => (long)Encoding.UTF8.GetByteCount(v));

    private static long Base64Bytes(JsonNode? values) => Values(values).Sum(DecodedLength);

    // The length of the bytes a base64 value stands for, without decoding it (a value that is not base64 counts as written).
    private static long DecodedLength(string value)
    {
        var length = value.Length;
        if (length % 4 != 0)
        {
            return length;
        }

        var padding = value.EndsWith("==", StringComparison.Ordinal) ? 2 : value.EndsWith('=') ? 1 : 0;
        return (long)length / 4 * 3 - padding;
    }

    private static IEnumerable<string> Values(JsonNode? map) =>
        (map as JsonObject ?? []).Select(kv => kv.Value?.GetValueKind() == System.Text.Json.JsonValueKind.String ? kv.Value.GetValue<string>() : "");
}
