using System.Globalization;
using System.Text.Json.Nodes;
using Google.Protobuf;
using Google.Protobuf.Reflection;

namespace ScaleControl.Sandbox.Kubernetes.Protobuf;

/// <summary>
/// A decoded Kubernetes message as the JSON its Go struct marshals to: field names as in the .proto (they are the
/// JSON names), Quantity and IntOrString as scalars, Time as RFC 3339, embedded structs inlined, and Go's omitempty
/// for the values gogo-protobuf always writes (empty strings, zero times, false and 0 of non-pointer fields).
/// </summary>
internal static class ProtobufJson
{
    // Embedded Go structs (json:",inline") appear as a field named after their type.
    private static readonly HashSet<string> s_inline =
        ["localObjectReference", "ephemeralContainerCommon", "handler", "volumeSource", "persistentVolumeSource"];

    // Pointer fields (*int32, *bool, *int64) whose zero or false means something: kept when sent.
    private static readonly HashSet<string> s_meaningfulZero =
    [
        "replicas", "revisionHistoryLimit", "progressDeadlineSeconds", "terminationGracePeriodSeconds", "activeDeadlineSeconds",
        "automountServiceAccountToken", "immutable", "enableServiceLinks", "runAsUser", "runAsGroup", "fsGroup", "runAsNonRoot",
        "privileged", "readOnlyRootFilesystem", "allowPrivilegeEscalation", "defaultMode", "mode", "optional", "setHostnameAsFQDN",
        "shareProcessNamespace", "partition", "priority", "deletionGracePeriodSeconds", "gracePeriodSeconds", "minReplicas", "allowed",
    ];

    public static JsonObject ToJson(IMessage message)
    {
        var json = new JsonObject();
        foreach (var field in message.Descriptor.Fields.InFieldNumberOrder())
        {
            var value = FieldValue(message, field);
            if (value is null)
            {
                continue;
            }

            if (s_inline.Contains(field.Name) && value is JsonObject inlined)
            {
                foreach (var (key, inner) in inlined.ToList())
                {
                    inlined.Remove(key);
                    json[key] = inner;
                }

                continue;
            }

            json[field.Name] = value;
        }

        return json;
    }

    private static JsonNode? FieldValue(IMessage message, FieldDescriptor field)
    {
        var raw = field.Accessor.GetValue(message);
        if (field.IsMap)
        {
            var map = (System.Collections.IDictionary)raw;
            if (map.Count == 0)
            {
                return null;
            }

            var valueField = field.MessageType.FindFieldByNumber(2);
            var json = new JsonObject();
            foreach (System.Collections.DictionaryEntry entry in map)
            {
                json[(string)entry.Key] = Scalar(valueField, entry.Value, keepZero: true) ?? "";
            }

            return json;
        }

        if (field.IsRepeated)
        {
            var items = ((System.Collections.IEnumerable)raw).Cast<object>().Select(item => Scalar(field, item, keepZero: true)).ToArray();
            return items.Length == 0 ? null : new JsonArray(items);
        }

        if (!field.Accessor.HasValue(message))
        {
            return null;
        }

        return Scalar(field, raw, keepZero: s_meaningfulZero.Contains(field.Name));
    }

    private static JsonNode? Scalar(FieldDescriptor field, object? value, bool keepZero) => (field.FieldType, value) switch
    {
        (FieldType.Message, IMessage inner) => Message(inner),
        (FieldType.String, string s) => s.Length == 0 && !keepZero ? null : s,
        (FieldType.Bytes, ByteString b) => Convert.ToBase64String(b.Span),
        (FieldType.Bool, bool b) => !b && !keepZero ? null : b,
        (FieldType.Int32 or FieldType.SInt32 or FieldType.SFixed32, int i) => i == 0 && !keepZero ? null : i,
        (FieldType.Int64 or FieldType.SInt64 or FieldType.SFixed64, long l) => l == 0 && !keepZero ? null : l,
        (FieldType.UInt32 or FieldType.Fixed32, uint u) => u == 0 && !keepZero ? null : u,
        (FieldType.UInt64 or FieldType.Fixed64, ulong u) => u == 0 && !keepZero ? null : u,
        (FieldType.Double, double d) => d,
        (FieldType.Float, float f) => f,
        _ => null,
    };

    // The types with their own JSON form in apimachinery (custom MarshalJSON).
    private static JsonNode? Message(IMessage inner)
    {
        var fields = inner.Descriptor.Fields;
        long Seconds() => (long?)fields.InFieldNumberOrder()[0].Accessor.GetValue(inner) ?? 0;
        int Nanos() => (int?)fields.InFieldNumberOrder()[1].Accessor.GetValue(inner) ?? 0;
        string Text(int number) => (string?)fields[number].Accessor.GetValue(inner) ?? "";
        switch (inner.Descriptor.FullName)
        {
            case "k8s.io.apimachinery.pkg.api.resource.Quantity":
                return Text(1);
            case "k8s.io.apimachinery.pkg.util.intstr.IntOrString":
                return (long)fields[1].Accessor.GetValue(inner) == 1 ? Text(3) : (int)fields[2].Accessor.GetValue(inner);
            case "k8s.io.apimachinery.pkg.apis.meta.v1.Time":
                return Seconds() == 0 && Nanos() == 0 ? null : Time(Seconds(), 0).ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
            case "k8s.io.apimachinery.pkg.apis.meta.v1.MicroTime":
                return Seconds() == 0 && Nanos() == 0 ? null : Time(Seconds(), Nanos()).ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'", CultureInfo.InvariantCulture);
            case "k8s.io.apimachinery.pkg.apis.meta.v1.FieldsV1":
            case "k8s.io.apimachinery.pkg.runtime.RawExtension":
                var bytes = (ByteString)fields.InFieldNumberOrder()[0].Accessor.GetValue(inner);
                return bytes.Length == 0 ? null : JsonNode.Parse(bytes.Span);
            default:
                return ToJson(inner);
        }
    }

    private static DateTime Time(long seconds, int nanos) =>
        DateTime.UnixEpoch.AddSeconds(seconds).AddTicks(nanos / 100);
}
