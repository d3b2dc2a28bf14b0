using System.Net;
using System.Net.Sockets;
using System.Text.Json.Nodes;
using ScaleControl.Sandbox.Kubernetes.Api;
using ScaleControl.Sandbox.Kubernetes.Json;
using ScaleControl.Sandbox.Kubernetes.Operations;
using ScaleControl.Sandbox.Kubernetes.Resources;

namespace ScaleControl.Sandbox.Kubernetes.Cluster;

/// <summary>Where the sandbox API is served: the apiserver's advertise address and secure port (127.0.0.1:6443 until a listener says).</summary>
internal sealed class ApiServerAddress
{
    private readonly Lock _lock = new();
    private (string Ip, int Port) _value = ("127.0.0.1", 6443);

    public (string Ip, int Port) Value
    {
        get
        {
            lock (_lock)
            {
                return _value;
            }
        }
    }

    /// <summary>The address a listener is bound to; a name or an IPv6 address is advertised as 127.0.0.1.</summary>
    public void Set(Uri url)
    {
        var ip = IPAddress.TryParse(url.Host, out var parsed) && parsed.AddressFamily == AddressFamily.InterNetwork ? parsed.ToString() : "127.0.0.1";
        lock (_lock)
        {
            _value = (ip, url.Port);
        }
    }
}

/// <summary>
/// The apiserver's own Service as its bootstrap controller keeps it: default/kubernetes, ClusterIP on the service range's
/// first address, port 443 "https" to the API's port, with an Endpoints and an EndpointSlice (both named kubernetes)
/// pointing at <see cref="ApiServerAddress"/>. Created at start, re-created when deleted, moved when the address moves.
/// </summary>
internal static class KubernetesService
{
    public const string Name = "kubernetes";
    public const string Namespace = "default";

    public static void Reconcile(ResourceOperations operations, ApiServerAddress address)
    {
        var (ip, port) = address.Value;
        try
        {
            Ensure(operations, BuiltInResources.Services, Service(port), o => o["spec"]?["ports"], (o, d) => o.Obj("spec")["ports"] = d["spec"]!["ports"]!.DeepClone());
            Ensure(operations, EndpointResources.Endpoints, Endpoints(ip, port), o => o["subsets"], (o, d) => o["subsets"] = d["subsets"]!.DeepClone());
            Ensure(operations, EndpointResources.EndpointSlices, Slice(ip, port), o => new JsonArray(o["endpoints"]?.DeepClone(), o["ports"]?.DeepClone()), (o, d) =>
            {
                o["endpoints"] = d["endpoints"]!.DeepClone();
                o["ports"] = d["ports"]!.DeepClone();
            });
        }
        catch (ApiException e) when (e.Code is 409 or 422 or 403)
        {
            // Kept state where a Service of the user's holds 10.96.0.1, or default is being deleted: nothing to own.
        }
    }

    // Creates the object, or brings the part the apiserver owns back to what it should be.
    private static void Ensure(ResourceOperations operations, ResourceType type, JsonObject desired, Func<JsonObject, JsonNode?> owned, Action<JsonObject, JsonObject> restore)
    {
        var current = operations.Find(type, Namespace, Name);
        if (current is null)
        {
            operations.Create(type, Namespace, desired, owner: FieldOwner.ApiServer);
        }
        else if (!JsonNode.DeepEquals(owned(current), owned(desired)))
        {
            operations.Rewrite(type, Namespace, Name, JsonPaths.GetString(current, "metadata.uid")!, o => restore(o, desired), FieldOwner.ApiServer);
        }
    }

    private static JsonObject Service(int port) => new()
    {
        ["metadata"] = new JsonObject
        {
            ["name"] = Name, ["namespace"] = Namespace, ["labels"] = new JsonObject { ["component"] = "apiserver", ["provider"] = "kubernetes" },
        },
        ["spec"] = new JsonObject
        {
            ["type"] = "ClusterIP",
            ["clusterIP"] = ServiceAllocation.FirstAddress,
            ["clusterIPs"] = new JsonArray(ServiceAllocation.FirstAddress),
            ["ports"] = new JsonArray(new JsonObject { ["name"] = "https", ["protocol"] = "TCP", ["port"] = 443, ["targetPort"] = port }),
            ["sessionAffinity"] = "None",
        },
    };

    private static JsonObject Endpoints(string ip, int port) => new()
    {
        ["metadata"] = new JsonObject
        {
            ["name"] = Name, ["namespace"] = Namespace, ["labels"] = new JsonObject { ["endpointslice.kubernetes.io/skip-mirror"] = "true" },
        },
        ["subsets"] = new JsonArray(new JsonObject
        {
            ["addresses"] = new JsonArray(new JsonObject { ["ip"] = ip }),
            ["ports"] = new JsonArray(new JsonObject { ["name"] = "https", ["port"] = port, ["protocol"] = "TCP" }),
        }),
    };

    private static JsonObject Slice(string ip, int port) => new()
    {
        ["metadata"] = new JsonObject
        {
            ["name"] = Name, ["namespace"] = Namespace, ["labels"] = new JsonObject { [EndpointSliceController.ServiceNameLabel] = Name },
        },
        ["addressType"] = "IPv4",
        ["endpoints"] = new JsonArray(new JsonObject { ["addresses"] = new JsonArray(ip), ["conditions"] = new JsonObject { ["ready"] = true } }),
        ["ports"] = new JsonArray(new JsonObject { ["name"] = "https", ["port"] = port, ["protocol"] = "TCP" }),
    };
}
