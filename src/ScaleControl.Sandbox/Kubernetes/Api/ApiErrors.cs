using System.Text.Json.Nodes;
using ScaleControl.Sandbox.Kubernetes.Resources;

namespace ScaleControl.Sandbox.Kubernetes.Api;

/// <summary>The Status bodies of apimachinery's pkg/api/errors, with the same messages and reasons.</summary>
internal static class ApiErrors
{
    public static JsonObject Status(int code, string reason, string message, JsonObject? details = null)
    {
        var status = new JsonObject
        {
            ["kind"] = "Status",
            ["apiVersion"] = "v1",
            ["metadata"] = new JsonObject(),
            ["status"] = "Failure",
            ["message"] = message,
            ["reason"] = reason,
        };
        if (details is not null)
        {
            status["details"] = details;
        }

        status["code"] = code;
        return status;
    }

    public static JsonObject Success(ResourceType type, string name, string? uid) => new()
    {
        ["kind"] = "Status",
        ["apiVersion"] = "v1",
        ["metadata"] = new JsonObject(),
        ["status"] = "Success",
        ["details"] = Details(type.Group, type.Plural, name, uid),
    };

    public static ApiException NotFound(ResourceType type, string name) =>
        new(Status(404, "NotFound", $"{type.QualifiedName} \"{name}\" not found", Details(type.Group, type.Plural, name)));

    public static ApiException PathNotFound() =>
        new(Status(404, "NotFound", "the server could not find the requested resource", new JsonObject()));

    public static ApiException AlreadyExists(ResourceType type, string name) =>
        new(Status(409, "AlreadyExists", $"{type.QualifiedName} \"{name}\" already exists", Details(type.Group, type.Plural, name)));

    public static ApiException Conflict(ResourceType type, string name, string? why = null) =>
        new(Status(409, "Conflict",
            $"Operation cannot be fulfilled on {type.QualifiedName} \"{name}\": "
            + (why ?? "the object has been modified; please apply your changes to the latest version and try again"),
            Details(type.Group, type.Plural, name)));

    public static ApiException Invalid(string kind, string group, string name, IReadOnlyList<FieldError> errors)
    {
        var rendered = errors.Select(e => $"{e.Field}: {e.Message}").ToList();
        var summary = rendered.Count == 1 ? rendered[0] : $"[{string.Join(", ", rendered)}]";
        var qualified = group.Length == 0 ? kind : $"{kind}.{group}"; // empty for a patch that does not decode: ` "" is invalid: patch: ...`
        var details = Details(group, kind, name);
        details["causes"] = new JsonArray(errors
            .Select(e => (JsonNode)new JsonObject { ["reason"] = e.Reason, ["message"] = e.Message, ["field"] = e.Field })
            .ToArray());
        return new(Status(422, "Invalid", $"{qualified} \"{name}\" is invalid: {summary}", details));
    }

    /// <summary>The NamespaceLifecycle admission plugin's refusal of a create in a namespace being deleted.</summary>
    public static ApiException NamespaceTerminating(ResourceType type, string name, string ns)
    {
        var details = Details(type.Group, type.Plural, name);
        details["causes"] = new JsonArray(new JsonObject
        {
            ["reason"] = "NamespaceTerminating", ["message"] = $"namespace {ns} is being terminated", ["field"] = "metadata.namespace",
        });
        return new(Status(403, "Forbidden",
            $"{type.QualifiedName} \"{name}\" is forbidden: unable to create new content in namespace {ns} because it is being terminated", details));
    }

    public static ApiException BadRequest(string message) => new(Status(400, "BadRequest", message));

    /// <summary>apimachinery's NewInternalError (e.g. a Service's range is full).</summary>
    public static ApiException Internal(string message) =>
        new(Status(500, "InternalError", $"Internal error occurred: {message}", new JsonObject { ["causes"] = new JsonArray(new JsonObject { ["message"] = message }) }));

    /// <summary>
    /// etcd's "request is too large", which the apiserver does not translate: a 500 whose Status has no reason, so
    /// kubectl prints <c>Error from server: etcdserver: request is too large</c>.
    /// </summary>
    public static ApiException EtcdRequestTooLarge()
    {
        var status = Status(500, "", "etcdserver: request is too large");
        status.Remove("reason");
        return new(status);
    }

    /// <summary>A JSON patch operation that cannot be applied: the apiserver's generic 422, with no details.</summary>
    public static ApiException PatchNotApplied() =>
        new(Status(422, "Invalid", "the server rejected our request due to an error in our request", new JsonObject()));

    /// <summary>A body whose values do not fit the kind's field types (e.g. a string for an int32), on create or update.</summary>
    public static ApiException CannotDecode(string kind, string version, TypeMismatch mismatch) =>
        BadRequest($"{kind} in version \"{version}\" cannot be handled as a {kind}: {mismatch.JsonError}");

    /// <summary>A patch whose result does not fit the kind's field types: the apiserver's 422 on the field <c>patch</c>.</summary>
    public static ApiException InvalidPatch(string value, string detail) =>
        Invalid("", "", "", [FieldError.Invalid("patch", JsonValue.Create(value), detail)]);

    public static ApiException MethodNotAllowed(string method) =>
        new(Status(405, "MethodNotAllowed", $"the server does not allow this method on the requested resource ({method})", new JsonObject()));

    /// <summary>
    /// A PATCH of a content type the kind does not take, in negotiation's errUnsupportedMediaType words: a custom
    /// resource takes no strategic merge patch (what client-side apply tools fall back to a merge patch on).
    /// </summary>
    public static ApiException UnsupportedMediaType(bool isCustomResource) =>
        new(Status(415, "UnsupportedMediaType",
            "the body of the request was in an unknown format - accepted media types include: "
            + (isCustomResource
                ? "application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml"
                : "application/json-patch+json, application/merge-patch+json, application/strategic-merge-patch+json, application/apply-patch+yaml")));

    public static ApiException TooManyRequests(TimeSpan retryAfter) =>
        new(Status(429, "TooManyRequests", "the server has received too many requests and has asked us to try again later",
            new JsonObject { ["retryAfterSeconds"] = (int)Math.Ceiling(retryAfter.TotalSeconds) }), retryAfter);

    /// <summary>A request still held (an injected latency) when the server stops: answered now, as an apiserver going down does.</summary>
    public static ApiException ShuttingDown() =>
        new(Status(503, "ServiceUnavailable", "the server is shutting down"));

    /// <summary>The Status an injected fault answers with (a server error, or a conflict or expiry the test asks for).</summary>
    public static ApiException Injected(int code) => code switch
    {
        409 => new(Status(409, "Conflict", "the object has been modified; please apply your changes to the latest version and try again (injected by the sandbox)")),
        410 => new(Status(410, "Expired", "the resourceVersion is too old (injected by the sandbox)")),
        503 => new(Status(503, "ServiceUnavailable", "the server is currently unable to handle the request")),
        504 => new(Status(504, "Timeout", "the server was unable to return a response in the time allotted")),
        _ => new(Status(code, "InternalError", "an error on the server (\"injected by the sandbox\") has prevented the request from succeeding")),
    };

    public static JsonObject Expired(long requested, long current) =>
        Status(410, "Expired", $"too old resource version: {requested} ({current})");

    private static JsonObject Details(string group, string kind, string name, string? uid = null)
    {
        var details = new JsonObject();
        if (name.Length > 0)
        {
            details["name"] = name;
        }

        if (group.Length > 0)
        {
            details["group"] = group;
        }

        if (kind.Length > 0)
        {
            details["kind"] = kind;
        }

        if (uid is not null)
        {
            details["uid"] = uid;
        }

        return details;
    }
}
