using System.Text.Json.Nodes;
using Google.Protobuf;
using Google.Protobuf.Reflection;
using K8S.Io.Apimachinery.Pkg.Runtime;
using ScaleControl.Sandbox.Kubernetes.Api;

namespace ScaleControl.Sandbox.Kubernetes.Protobuf;

/// <summary>
/// Request bodies in <c>application/vnd.kubernetes.protobuf</c>, which kubectl (since 1.32) sends for typed creates:
/// the 4-byte <c>k8s\0</c> magic, then a runtime.Unknown whose raw bytes are the object message named by its
/// apiVersion and kind. Decoded with the message types protoc generated from Kubernetes' own .proto files and turned
/// into the JSON the rest of the sandbox stores, as the apiserver's Go structs would marshal it.
/// </summary>
internal static class ProtobufBody
{
    public const string MediaType = "application/vnd.kubernetes.protobuf";

    private static readonly byte[] s_magic = [0x6b, 0x38, 0x73, 0x00];

    // The packages of the vendored .proto files, by apiVersion.
    private static readonly Dictionary<string, FileDescriptor> s_files = new(StringComparer.Ordinal)
    {
        ["v1"] = K8S.Io.Api.Core.V1.GeneratedReflection.Descriptor,
        ["apps/v1"] = K8S.Io.Api.Apps.V1.GeneratedReflection.Descriptor,
        ["autoscaling/v1"] = K8S.Io.Api.Autoscaling.V1.GeneratedReflection.Descriptor,
        ["authorization.k8s.io/v1"] = K8S.Io.Api.Authorization.V1.GeneratedReflection.Descriptor,
        ["authentication.k8s.io/v1"] = K8S.Io.Api.Authentication.V1.GeneratedReflection.Descriptor,
        ["rbac.authorization.k8s.io/v1"] = K8S.Io.Api.Rbac.V1.GeneratedReflection.Descriptor,
        ["policy/v1"] = K8S.Io.Api.Policy.V1.GeneratedReflection.Descriptor,
    };

    public static bool IsProtobuf(string? contentType) =>
        contentType?.StartsWith(MediaType, StringComparison.OrdinalIgnoreCase) == true;

    public static JsonObject Decode(ReadOnlySpan<byte> body)
    {
        if (!body.StartsWith(s_magic))
        {
            throw ApiErrors.BadRequest("error decoding request body: provided data does not appear to be a protobuf message, expected prefix [107 56 115 0]");
        }

        Unknown envelope;
        try
        {
            envelope = Unknown.Parser.ParseFrom(body[s_magic.Length..]);
        }
        catch (InvalidProtocolBufferException e)
        {
            throw ApiErrors.BadRequest($"error decoding request body: {e.Message}");
        }

        var apiVersion = envelope.TypeMeta?.ApiVersion ?? "";
        var kind = envelope.TypeMeta?.Kind ?? "";
        // DeleteOptions is registered in every group version (kubectl drain sends it as "v1").
        var descriptor = (kind == "DeleteOptions"
                ? K8S.Io.Apimachinery.Pkg.Apis.Meta.V1.GeneratedReflection.Descriptor.MessageTypes.First(m => m.Name == kind)
                : s_files.GetValueOrDefault(apiVersion)?.MessageTypes.FirstOrDefault(m => m.Name == kind))
            ?? throw UnsupportedKind(apiVersion, kind);
        IMessage message;
        try
        {
            message = descriptor.Parser.WithDiscardUnknownFields(true).ParseFrom(envelope.Raw);
        }
        catch (InvalidProtocolBufferException e)
        {
            throw ApiErrors.BadRequest($"error decoding request body: {e.Message}");
        }

        // Fields newer than the vendored definitions would be lost silently: refuse rather than store less than was sent.
        if (message.CalculateSize() != envelope.Raw.Length)
        {
            throw ApiErrors.BadRequest(
                $"error decoding request body: the sandbox's {apiVersion} {kind} protobuf definitions do not know every field sent; send the object as JSON or YAML (kubectl create -f)");
        }

        var json = ProtobufJson.ToJson(message);
        json["apiVersion"] = apiVersion;
        json["kind"] = kind;
        return json;
    }

    private static ApiException UnsupportedKind(string apiVersion, string kind) =>
        new(ApiErrors.Status(415, "UnsupportedMediaType",
            $"the sandbox decodes protobuf bodies of the {string.Join(" and ", s_files.Keys.Select(v => $"\"{v}\""))} kinds it vendors, not {kind} in \"{apiVersion}\"; send JSON"));
}
