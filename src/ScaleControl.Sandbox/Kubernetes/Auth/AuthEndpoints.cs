using System.Globalization;
using System.Text.Json.Nodes;
using ScaleControl.Sandbox.Kubernetes.Api;
using ScaleControl.Sandbox.Kubernetes.Resources;
using ScaleControl.Sandbox.Kubernetes.Storage;

namespace ScaleControl.Sandbox.Kubernetes.Auth;

/// <summary>
/// The create-only auth kinds, answered as the apiserver's registries do: SelfSubjectAccessReview
/// (<c>kubectl auth can-i</c>), SelfSubjectRulesReview (<c>kubectl auth can-i --list</c>), SubjectAccessReview (may
/// another user?), SelfSubjectReview (<c>kubectl auth whoami</c>) and a ServiceAccount's TokenRequest
/// (<c>kubectl create token</c>). Nothing is stored.
/// </summary>
internal sealed class AuthEndpoints(RbacAuthorizer authorizer, Authenticator authenticator, ObjectStore store, TimeProvider time)
{
    private const long DefaultTokenSeconds = 3600;
    private const long MinTokenSeconds = 600;
    private const long MaxTokenSeconds = 48 * 3600;

    public JsonObject Review(ResourceType type, UserInfo user, JsonObject body) =>
        type == RbacResources.SelfSubjectReviews ? SelfSubjectReview(user)
        : type == RbacResources.SelfSubjectRulesReviews ? SelfSubjectRulesReview(user, body)
        : type == RbacResources.SubjectAccessReviews ? AccessReview("SubjectAccessReview", Subject(body), body)
        : AccessReview("SelfSubjectAccessReview", user, body);

    // SubjectAccessReview: the user, groups, uid and extra it names, exactly (no system:authenticated added, as upstream).
    private static UserInfo Subject(JsonObject review)
    {
        var spec = review["spec"] as JsonObject ?? new JsonObject();
        var name = Text(spec, "user");
        var groups = (spec["groups"] as JsonArray)?.Select(g => (string?)g ?? "").ToList() ?? [];
        if (name.Length == 0 && groups.Count == 0)
        {
            throw ApiErrors.Invalid("SubjectAccessReview", "authorization.k8s.io", "",
                [FieldError.Invalid("spec.user", "", "at least one of user or group must be specified")]);
        }

        return new UserInfo(name, Text(spec, "uid"), groups);
    }

    private JsonObject SelfSubjectRulesReview(UserInfo user, JsonObject review)
    {
        var spec = review["spec"] as JsonObject ?? new JsonObject();
        var ns = Text(spec, "namespace");
        var resourceRules = new JsonArray();
        var nonResourceRules = new JsonArray();
        var (rules, errors) = authorizer.RulesFor(user, ns); // system:masters too: through the cluster-admin binding, as upstream
        foreach (var rule in rules)
        {
            if (rule["nonResourceURLs"] is JsonArray { Count: > 0 } urls)
            {
                nonResourceRules.Add(new JsonObject { ["verbs"] = rule["verbs"]?.DeepClone(), ["nonResourceURLs"] = urls.DeepClone() });
                continue;
            }

            var converted = new JsonObject { ["verbs"] = rule["verbs"]?.DeepClone(), ["apiGroups"] = rule["apiGroups"]?.DeepClone(), ["resources"] = rule["resources"]?.DeepClone() };
            if (rule["resourceNames"] is JsonArray { Count: > 0 } names)
            {
                converted["resourceNames"] = names.DeepClone();
            }

            resourceRules.Add(converted);
        }

        var status = new JsonObject { ["resourceRules"] = resourceRules, ["nonResourceRules"] = nonResourceRules, ["incomplete"] = errors.Count > 0 };
        if (errors.Count > 0)
        {
            status["evaluationError"] = string.Join(", ", errors);
        }

        return new JsonObject
        {
            ["kind"] = "SelfSubjectRulesReview",
            ["apiVersion"] = "authorization.k8s.io/v1",
            ["metadata"] = new JsonObject { ["creationTimestamp"] = null },
            ["spec"] = spec.DeepClone(),
            ["status"] = status,
        };
    }

    private JsonObject AccessReview(string kind, UserInfo user, JsonObject review)
    {
        var spec = review["spec"] as JsonObject ?? new JsonObject();
        var resource = spec["resourceAttributes"] as JsonObject;
        var nonResource = spec["nonResourceAttributes"] as JsonObject;
        if ((resource is null) == (nonResource is null))
        {
            throw ApiErrors.Invalid(kind, "authorization.k8s.io", "",
                [FieldError.Invalid("spec.resourceAttributes", "null", "exactly one of nonResourceAttributes or resourceAttributes must be specified")]);
        }

        var attributes = resource is not null
            ? new AccessAttributes(Text(resource, "verb"), Text(resource, "group"), Text(resource, "resource"), Text(resource, "subresource"),
                Text(resource, "namespace"), Text(resource, "name"))
            : new AccessAttributes(Text(nonResource!, "verb"), Path: Text(nonResource!, "path"));
        var (allowed, reason) = authorizer.Authorize(user, attributes);
        var status = new JsonObject { ["allowed"] = allowed };
        if (reason.Length > 0)
        {
            status["reason"] = reason;
        }

        return new JsonObject
        {
            ["kind"] = kind,
            ["apiVersion"] = "authorization.k8s.io/v1",
            ["metadata"] = new JsonObject { ["creationTimestamp"] = null },
            ["spec"] = spec.DeepClone(),
            ["status"] = status,
        };
    }

    private static JsonObject SelfSubjectReview(UserInfo user)
    {
        var info = new JsonObject { ["username"] = user.Name };
        if (user.Uid.Length > 0)
        {
            info["uid"] = user.Uid;
        }

        info["groups"] = new JsonArray(user.Groups.Select(g => (JsonNode)g).ToArray());
        return new JsonObject
        {
            ["kind"] = "SelfSubjectReview",
            ["apiVersion"] = "authentication.k8s.io/v1",
            ["metadata"] = new JsonObject { ["creationTimestamp"] = null },
            ["status"] = new JsonObject { ["userInfo"] = info },
        };
    }

    /// <summary>POST serviceaccounts/{name}/token: a bearer token naming the ServiceAccount (expirationSeconds 600 s to 48 h).</summary>
    public JsonObject TokenRequest(string ns, string name, JsonObject request)
    {
        var account = store.Get(BuiltInResources.ServiceAccounts.Storage, ns, name) ?? throw ApiErrors.NotFound(BuiltInResources.ServiceAccounts, name);
        var seconds = request["spec"]?["expirationSeconds"] is JsonValue v && v.TryGetValue<long>(out var asked) ? asked : DefaultTokenSeconds;
        if (seconds < MinTokenSeconds)
        {
            throw ApiErrors.Invalid("TokenRequest", "authentication.k8s.io", name,
                [FieldError.Invalid("spec.expirationSeconds", seconds, "may not specify a duration less than 10 minutes")]);
        }

        var expires = time.GetUtcNow().AddSeconds(Math.Min(seconds, MaxTokenSeconds));
        var spec = request["spec"]?.DeepClone() as JsonObject ?? new JsonObject();
        spec["expirationSeconds"] = (long)(expires - time.GetUtcNow()).TotalSeconds;
        spec["audiences"] ??= new JsonArray("https://kubernetes.default.svc.cluster.local");
        return new JsonObject
        {
            ["kind"] = "TokenRequest",
            ["apiVersion"] = "authentication.k8s.io/v1",
            ["metadata"] = new JsonObject { ["name"] = name, ["namespace"] = ns, ["creationTimestamp"] = time.GetUtcNow().ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture) },
            ["spec"] = spec,
            ["status"] = new JsonObject
            {
                ["token"] = authenticator.Issue(account, expires),
                ["expirationTimestamp"] = expires.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture),
            },
        };
    }

    private static string Text(JsonObject o, string field) => (string?)o[field] ?? "";
}
