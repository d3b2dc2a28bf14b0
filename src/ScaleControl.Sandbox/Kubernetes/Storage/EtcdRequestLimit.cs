using System.Text;
using System.Text.Json.Nodes;
using ScaleControl.Sandbox.Kubernetes.Api;

namespace ScaleControl.Sandbox.Kubernetes.Storage;

/// <summary>
/// etcd's <c>--max-request-bytes</c> (1.5 MiB by default) on the writes of custom resources, which the apiserver keeps
/// in etcd as JSON: an object that passed validation and the 3 MiB body limit but is larger is refused by etcd, and the
/// apiserver passes that on as a 500 without a reason (kubernetes#112152). Built-in kinds are kept in protobuf, whose
/// size the sandbox does not know, so they are not measured.
/// </summary>
internal static class EtcdRequestLimit
{
    public const int MaxRequestBytes = 1536 * 1024;

    /// <param name="key">The object's etcd key, e.g. <c>/registry/example.io/routes/default/big</c> (framing bytes aside, the request is key and value).</param>
    public static void Check(string key, JsonObject stored)
    {
        if (Encoding.UTF8.GetByteCount(key) + Encoding.UTF8.GetByteCount(stored.ToJsonString()) > MaxRequestBytes)
        {
            throw ApiErrors.EtcdRequestTooLarge();
        }
    }
}
