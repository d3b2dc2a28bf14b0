using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Hosting;
using ScaleControl.Sandbox.Kubernetes.Api;
using ScaleControl.Sandbox.Kubernetes.Auth;
using ScaleControl.Sandbox.Kubernetes.Control;
using ScaleControl.Sandbox.Kubernetes.Json;
using ScaleControl.Sandbox.Kubernetes.Metrics;
using ScaleControl.Sandbox.Kubernetes.Operations;
using ScaleControl.Sandbox.Kubernetes.Protobuf;
using ScaleControl.Sandbox.Kubernetes.Resources;
using ScaleControl.Sandbox.Kubernetes.Selectors;
using ScaleControl.Yaml;

namespace ScaleControl.Sandbox.Kubernetes.Http;

/// <summary>
/// Routes every request under the mount point: discovery, non-resource URLs and resource requests, each
/// authenticated and authorized (RBAC) first, with the test hooks (faults, journal) around them. Failures become
/// Kubernetes Status bodies.
/// </summary>
internal sealed class KubernetesApiHandler(
    ResourceCatalog catalog,
    ResourceOperations operations,
    Authenticator authenticator,
    RbacAuthorizer authorizer,
    AuthEndpoints auth,
    WatchStreamer watches,
    MetricsServer metrics,
    FaultInjector faults,
    RequestJournal journal,
    SandboxKubernetesOptions options,
    TimeProvider time,
    IHostApplicationLifetime lifetime,
    PodEviction evictions,
    PodLogStreamer logs)
{
    // The apiserver's MaxRequestBodyBytes (3 MiB): a larger body is its 413 before anything is decoded.
    private const int MaxBodyBytes = 3 * 1024 * 1024;

    public async Task HandleAsync(HttpContext context, string? path)
    {
        var received = time.GetUtcNow();
        var segments = (path ?? "").Split('/', StringSplitOptions.RemoveEmptyEntries);
        var request = context.Request;
        RequestInfo? info = null;
        int? servedStatus = null;
        try
        {
            var user = Impersonation.Apply(request, authenticator.Authenticate(request), authorizer);
            info = ParseResource(segments);
            var verb = Verb(request, info);
            authorizer.Check(user, Attributes(verb, info, segments));
            var fault = faults.Take(request.Method, request.Path, verb, info?.Resource ?? "", request.Headers.UserAgent.ToString());
            if (fault is { AfterServing: true })
            {
                servedStatus = await ServeUnansweredAsync(context, info, user, segments);
                await InjectAfterServingAsync(context, fault);
            }
            else
            {
                if (fault is not null)
                {
                    await InjectAsync(fault, context);
                }

                await ServeAsync(context, info, user, segments);
            }
        }
        catch (ApiException e)
        {
            if (e.RetryAfter is { } retryAfter)
            {
                context.Response.Headers.RetryAfter = ((int)Math.Ceiling(retryAfter.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
            }

            await WriteAsync(context, e.Code, e.Status);
        }
        catch (JsonException e)
        {
            await WriteAsync(context, 400, ApiErrors.BadRequest($"error decoding request body: {e.Message}").Status);
        }
        catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
        {
            // Client went away.
        }
        finally
        {
            journal.Record(new JournalEntry(
                time.GetUtcNow(), request.Method, request.PathBase + request.Path, request.QueryString.Value ?? "", request.ContentType,
                context.Response.StatusCode, Verb(request, info), info?.Type.Group ?? "", info?.Resource ?? "",
                info?.Namespace, info?.Name, request.Headers.UserAgent.ToString(), servedStatus, received));
        }
    }

    private RequestInfo? ParseResource(string[] s) => s switch
    {
        ["api", var v, _, ..] => RequestInfo.Parse(catalog, "", v, s[2..]) ?? throw ApiErrors.PathNotFound(),
        ["apis", var g, var v, _, ..] => RequestInfo.Parse(catalog, g, v, s[3..]) ?? throw ApiErrors.PathNotFound(),
        _ => null,
    };

    // As the apiserver's RequestInfo: a namespace object is addressed in its own namespace (a RoleBinding there may grant it).
    private static AccessAttributes Attributes(string verb, RequestInfo? info, string[] segments) => info is null
        ? new AccessAttributes(verb, Path: "/" + string.Join('/', segments))
        : new AccessAttributes(verb, info.Type.Group, info.Type.Plural, info.SubresourceName,
            info.Namespace ?? (info.Type == BuiltInResources.Namespaces ? info.Name ?? "" : ""), info.Name ?? "");

    private Task ServeAsync(HttpContext context, RequestInfo? info, UserInfo user, string[] segments) =>
        info is null ? ServeNonResourceAsync(context, segments) : ServeResourceAsync(context, info, user);

    private async Task InjectAsync(SandboxFault fault, HttpContext context)
    {
        if (fault.Latency > TimeSpan.Zero)
        {
            // Held while the host runs, not past it: a held request would keep a stopping host for its whole shutdown
            // timeout (30 s), as a watch would without the same link (WatchStreamer).
            using var held = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted, lifetime.ApplicationStopping);
            try
            {
                await Task.Delay(fault.Latency, time, held.Token);
            }
            catch (OperationCanceledException) when (!context.RequestAborted.IsCancellationRequested)
            {
                throw ApiErrors.ShuttingDown();
            }
        }

        if (fault.StatusCode is { } code)
        {
            throw code == 429 ? ApiErrors.TooManyRequests(fault.RetryAfter) : ApiErrors.Injected(code);
        }
    }

    /// <summary>
    /// Serves the request into a buffer (so the write happens) and throws that answer away: with the fault that
    /// follows, the client cannot tell an applied write from a lost one. Returns the status the request was served with.
    /// </summary>
    private async Task<int> ServeUnansweredAsync(HttpContext context, RequestInfo? info, UserInfo user, string[] segments)
    {
        var body = context.Response.Body;
        int served;
        using (var buffer = new MemoryStream())
        {
            context.Response.Body = buffer;
            try
            {
                await ServeAsync(context, info, user, segments);
                served = context.Response.StatusCode;
            }
            catch (ApiException e)
            {
                served = e.Code;
            }
            finally
            {
                context.Response.Body = body;
            }
        }

        context.Response.Clear();
        return served;
    }

    private async Task InjectAfterServingAsync(HttpContext context, SandboxFault fault)
    {
        try
        {
            await InjectAsync(fault, context);
        }
        catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
        {
            context.Response.StatusCode = 499; // the client gave up (nginx's "client closed request"): the journal must not show a 200
            throw;
        }
    }

    private async Task ServeNonResourceAsync(HttpContext context, string[] segments)
    {
        if (!HttpMethods.IsGet(context.Request.Method))
        {
            throw ApiErrors.MethodNotAllowed(context.Request.Method);
        }

        if (segments is ["healthz" or "livez" or "readyz"])
        {
            await context.Response.WriteAsync("ok", context.RequestAborted);
            return;
        }

        if (segments is ["openapi", "v2"])
        {
            await OpenApiV2.WriteAsync(context, options.GitVersion);
            return;
        }

        var document = segments switch
        {
            ["version"] => Discovery.Version(options),
            ["api"] => Discovery.CoreVersions(context.Request.Host.Value ?? "127.0.0.1"),
            ["api", var v] => Discovery.ResourceList(catalog, "", v),
            ["apis"] => Discovery.GroupList(catalog),
            ["apis", var g] => Discovery.Group(catalog, g),
            ["apis", var g, var v] => Discovery.ResourceList(catalog, g, v),
            ["openapi", "v3"] => OpenApiV3.Root(catalog, MountPath(context, segments)),
            ["openapi", "v3", "api", var v] => OpenApiV3.GroupVersion(catalog, "", v),
            ["openapi", "v3", "apis", var g, var v] => OpenApiV3.GroupVersion(catalog, g, v),
            _ => null,
        };

        await WriteAsync(context, 200, document ?? throw ApiErrors.PathNotFound());
    }

    // The request path minus the segments this handler routed on: where the API is mounted in the host.
    private static string MountPath(HttpContext context, string[] segments)
    {
        var full = (context.Request.PathBase + context.Request.Path).Value ?? "";
        var routed = "/" + string.Join('/', segments);
        return full.EndsWith(routed, StringComparison.Ordinal) ? full[..^routed.Length] : "";
    }

    private async Task ServeResourceAsync(HttpContext context, RequestInfo info, UserInfo user)
    {
        var request = context.Request;
        var type = info.Type;
        var ns = info.Namespace ?? "";
        if (type.Namespaced && info.Name is not null && info.Namespace is null)
        {
            throw ApiErrors.PathNotFound();
        }

        var table = TableRenderer.Wanted(request.Headers.Accept);
        var dryRun = DryRunParameter.Of(request);
        if (RbacResources.IsReview(type))
        {
            await WriteAsync(context, HttpMethods.IsPost(request.Method) && info.Name is null
                ? 201
                : throw ApiErrors.MethodNotAllowed(request.Method), auth.Review(type, user, await ReadObjectAsync(request)));
            return;
        }

        if (MetricsResources.IsMetrics(type))
        {
            await WriteAsync(context, 200, metrics.Serve(request, info, table));
            return;
        }

        switch (request.Method, info.Name, info.Subresource)
        {
            case (_, { } name, Subresource.Unserved):
                throw ApiErrors.BadRequest($"{info.Resource} is not served by the ScaleControl sandbox cluster: it runs no containers or kubelets ({info.Type.QualifiedName} \"{name}\")");
            case ("GET", { } name, Subresource.Log):
                await logs.StreamAsync(context, ns, name);
                return;
            case (_, { }, Subresource.Log):
                throw ApiErrors.MethodNotAllowed(request.Method); // a log is only read
            case ("POST", { } name, Subresource.Eviction):
                var eviction = await ReadObjectAsync(request);
                CheckEvictionKind(eviction);
                await WriteAsync(context, 201, evictions.Evict(ns, name, eviction, dryRun));
                return;
            case ("POST", { } name, Subresource.Token):
                await WriteAsync(context, 201, auth.TokenRequest(ns, name, await ReadObjectAsync(request)));
                return;
            case ("GET", null, _) when WatchStreamer.IsTrue(request.Query["watch"]):
                await watches.StreamAsync(context, type, info.Namespace, table);
                return;
            case ("GET", null, _):
                var list = operations.List(type, info.Namespace, LabelSelector.Parse(request.Query["labelSelector"]),
                    FieldSelector.Parse(request.Query["fieldSelector"], type), ListPage.Parse(request.Query["limit"], request.Query["continue"]));
                await WriteAsync(context, 200, table
                    ? TableRenderer.Render(type, list["items"]!.AsArray().Select(i => i!.AsObject()), list["metadata"]!.AsObject(), time.GetUtcNow())
                    : list);
                return;
            case ("POST", null, Subresource.None) when !type.Namespaced || info.Namespace is not null:
                var posted = await ReadObjectAsync(request);
                BodyKind.Check(type, posted, JsonPaths.GetString(posted, "metadata.name") ?? "");
                CheckApiVersion(type, posted);
                CheckTypes(type.Kind, type.Version, type.Model, posted);
                FieldValidation.Check(type, posted, context);
                await WriteAsync(context, 201, operations.Create(type, ns, posted, dryRun: dryRun, owner: FieldOwner.Of(request)));
                return;
            case ("DELETE", null, Subresource.None):
                var collectionOptions = await ReadDeleteOptionsAsync(request);
                await WriteAsync(context, 200, DeleteCollection(type, info.Namespace, request, collectionOptions, DeleteOptions.IsDryRun(collectionOptions)));
                return;
            case ("GET", { } name, Subresource.Scale):
                await WriteAsync(context, 200, operations.GetScale(type, ns, name));
                return;
            case ("GET", { } name, _):
                var obj = operations.Get(type, ns, name);
                await WriteAsync(context, 200, table ? TableRenderer.Render(type, [obj], null, time.GetUtcNow()) : obj);
                return;
            case ("PUT", { } name, Subresource.Scale):
                var scale = await ReadObjectAsync(request);
                CheckTypes("Scale", "v1", typeof(k8s.Models.V1Scale), scale);
                await WriteAsync(context, 200, operations.UpdateScale(type, ns, name, _ => scale, dryRun, FieldOwner.Of(request)));
                return;
            case ("PUT", { } name, var subresource):
                var replacement = await ReadObjectAsync(request);
                BodyKind.Check(type, replacement, name);
                CheckApiVersion(type, replacement);
                CheckTypes(type.Kind, type.Version, type.Model, replacement);
                FieldValidation.Check(type, replacement, context);
                await WriteAsync(context, 200, operations.Replace(type, ns, name, replacement, subresource, dryRun, FieldOwner.Of(request)));
                return;
            case ("PATCH", { } name, var subresource):
                var patch = PatchRequest.Parse(request.ContentType, await ReadBodyAsync(request), request.Query["fieldManager"],
                    WatchStreamer.IsTrue(request.Query["force"]), type.IsCustom) with
                {
                    Model = subresource == Subresource.Scale ? typeof(k8s.Models.V1Scale) : type.Model,
                    Lists = type.Lists,
                };
                if (patch.Kind != PatchKind.Json && subresource != Subresource.Scale)
                {
                    FieldValidation.Check(type, patch.Body as JsonObject, context);
                }

                if (subresource == Subresource.Scale)
                {
                    await WriteAsync(context, 200, operations.UpdateScale(type, ns, name, patch.ApplyTo, dryRun, FieldOwner.Of(request)));
                    return;
                }

                var (patched, created) = operations.Patch(type, ns, name, patch, subresource, dryRun, FieldOwner.Of(request));
                await WriteAsync(context, created ? 201 : 200, patched);
                return;
            case ("DELETE", { } name, Subresource.None):
                var options = await ReadDeleteOptionsAsync(request);
                await WriteAsync(context, 200, operations.Delete(type, ns, name, options, DeleteOptions.IsDryRun(options)));
                return;
            default:
                throw ApiErrors.MethodNotAllowed(request.Method);
        }
    }

    // EvictionREST accepts policy/v1 and policy/v1beta1 Evictions (AcceptsGroupVersion).
    private static void CheckEvictionKind(JsonObject eviction)
    {
        var apiVersion = JsonPaths.GetString(eviction, "apiVersion");
        var kind = JsonPaths.GetString(eviction, "kind");
        if (apiVersion is not ("policy/v1" or "policy/v1beta1") || kind != "Eviction")
        {
            throw ApiErrors.BadRequest($"{kind} in version \"{apiVersion}\" cannot be handled as a Eviction: no kind \"{kind}\" is registered for version \"{apiVersion}\"");
        }
    }

    // As the apiserver's AcceptsGroupVersion: a body of another group or version is refused, never stored as this one.
    private static void CheckApiVersion(ResourceType type, JsonObject body)
    {
        if (JsonPaths.GetString(body, "apiVersion") is { Length: > 0 } apiVersion && apiVersion != type.GroupVersion)
        {
            throw ApiErrors.BadRequest($"the API version in the data ({apiVersion}) does not match the expected API version ({type.GroupVersion})");
        }
    }

    // A value the kind's field types cannot hold (e.g. "two" for spec.replicas) is refused before anything is stored.
    private static void CheckTypes(string kind, string version, Type? model, JsonObject body)
    {
        if (model is not null && TypedFields.FirstMismatch(body, model) is { } mismatch)
        {
            throw ApiErrors.CannotDecode(kind, version, mismatch);
        }
    }

    private JsonObject DeleteCollection(ResourceType type, string? ns, HttpRequest request, JsonObject? options, bool dryRun)
    {
        var list = operations.List(type, ns, LabelSelector.Parse(request.Query["labelSelector"]), FieldSelector.Parse(request.Query["fieldSelector"], type));
        foreach (var item in list["items"]!.AsArray())
        {
            operations.Delete(type, JsonPaths.GetString(item, "metadata.namespace") ?? "", JsonPaths.GetString(item, "metadata.name")!, options, dryRun);
        }

        return list;
    }

    // kubectl delete sends its options (dryRun, propagationPolicy, preconditions, gracePeriodSeconds) as a DeleteOptions
    // body; kubectl drain, falling back from eviction, sends it in protobuf. Without a body they are read from the query
    // (the KubernetesClient's DeleteNamespacedPodAsync(..., gracePeriodSeconds: 0)), as the apiserver's handler does.
    private static async Task<JsonObject?> ReadDeleteOptionsAsync(HttpRequest request)
    {
        if (ProtobufBody.IsProtobuf(request.ContentType))
        {
            return ProtobufBody.Decode(await ReadBytesAsync(request));
        }

        var body = await ReadBodyAsync(request);
        return body.Length == 0 ? DeleteOptions.FromQuery(request.Query) : JsonNode.Parse(body) as JsonObject;
    }

    // Every body (JSON, YAML, protobuf) is read up to the apiserver's limit, as its limitedReadBody does.
    private static async Task<string> ReadBodyAsync(HttpRequest request)
    {
        using var reader = new StreamReader(new MemoryStream(await ReadBytesAsync(request)));
        return await reader.ReadToEndAsync(request.HttpContext.RequestAborted);
    }

    private static async Task<byte[]> ReadBytesAsync(HttpRequest request)
    {
        using var buffer = new MemoryStream();
        var chunk = new byte[81920];
        int read;
        while ((read = await request.Body.ReadAsync(chunk, request.HttpContext.RequestAborted)) > 0)
        {
            if (buffer.Length + read > MaxBodyBytes)
            {
                throw new ApiException(ApiErrors.Status(413, "RequestEntityTooLarge", $"Request entity too large: limit is {MaxBodyBytes}"));
            }

            buffer.Write(chunk, 0, read);
        }

        return buffer.ToArray();
    }

    private static async Task<JsonObject> ReadObjectAsync(HttpRequest request)
    {
        if (ProtobufBody.IsProtobuf(request.ContentType))
        {
            return ProtobufBody.Decode(await ReadBytesAsync(request));
        }

        var body = await ReadBodyAsync(request);
        try
        {
            return YamlJson.ParseJsonOrYaml(body) as JsonObject ?? throw ApiErrors.BadRequest("the request body is not an object");
        }
        catch (YamlDotNet.Core.YamlException e)
        {
            throw ApiErrors.BadRequest($"error decoding request body: {e.Message}");
        }
    }

    private static string Verb(HttpRequest request, RequestInfo? info) => (request.Method, info?.Name) switch
    {
        (_, _) when info is null => request.Method.ToLowerInvariant(),
        ("GET", null) => WatchStreamer.IsTrue(request.Query["watch"]) ? "watch" : "list",
        ("GET", _) => "get",
        ("POST", _) => "create",
        ("PUT", _) => "update",
        ("PATCH", _) => "patch",
        ("DELETE", null) => "deletecollection",
        ("DELETE", _) => "delete",
        _ => request.Method.ToLowerInvariant(),
    };

    private static async Task WriteAsync(HttpContext context, int statusCode, JsonNode body)
    {
        if (context.Response.HasStarted)
        {
            return;
        }

        context.Response.StatusCode = statusCode;
        context.Response.ContentType = "application/json";
        var indented = WireJson.Indented(context.Request.Query["pretty"].ToString(), context.Request.Headers.UserAgent.ToString());
        await context.Response.WriteAsync(WireJson.Serialize(body, indented), context.RequestAborted);
    }
}
