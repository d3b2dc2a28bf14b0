using System.Text.Json.Nodes;
using ScaleControl.Sandbox.Kubernetes.Api;
using ScaleControl.Sandbox.Kubernetes.Resources;
using ScaleControl.Sandbox.Kubernetes.Storage;

namespace ScaleControl.Sandbox.Kubernetes.Auth;

/// <summary>
/// The RBAC authorizer (plugin/pkg/auth/authorizer/rbac): a request is allowed when a ClusterRoleBinding, or a
/// RoleBinding in the request's namespace, binds the user (by name, group or ServiceAccount) to a ClusterRole or
/// Role with a matching rule. Members of system:masters are not checked. What every authenticated user may do
/// (discovery, health, reviewing themselves) comes from the bootstrap roles stored like any other (see
/// <see cref="BootstrapPolicy"/>).
/// </summary>
internal sealed class RbacAuthorizer(ObjectStore store)
{
    public (bool Allowed, string Reason) Authorize(UserInfo user, AccessAttributes request)
    {
        if (user.IsSuperuser)
        {
            return (true, "");
        }

        var errors = new List<string>();
        foreach (var grant in Grants(user, request.Namespace, errors))
        {
            if (grant.Rules.Any(r => Allows(r, request)))
            {
                return (true, $"RBAC: allowed by {grant.Description}");
            }
        }

        return (false, errors.Count switch
        {
            0 => "",
            1 => $"RBAC: {errors[0]}",
            _ => $"RBAC: [{string.Join(", ", errors)}]",
        });
    }

    /// <summary>
    /// Every rule that applies to <paramref name="user"/> in <paramref name="ns"/> (rbac.RulesFor, behind
    /// SelfSubjectRulesReview), and what could not be evaluated (a binding to a missing role).
    /// </summary>
    public (IReadOnlyList<JsonObject> Rules, IReadOnlyList<string> Errors) RulesFor(UserInfo user, string ns)
    {
        var errors = new List<string>();
        var rules = Grants(user, ns, errors).SelectMany(g => g.Rules).ToList();
        return (rules, errors);
    }

    private IEnumerable<(string Description, IEnumerable<JsonObject> Rules)> Grants(UserInfo user, string ns, List<string> errors)
    {
        foreach (var (binding, bindingNamespace) in Bindings(ns))
        {
            var subject = (binding["subjects"] as JsonArray)?.OfType<JsonObject>().FirstOrDefault(s => AppliesTo(s, user, bindingNamespace));
            if (subject is null)
            {
                continue;
            }

            var roleKind = (string?)binding["roleRef"]?["kind"] ?? "";
            var roleName = (string?)binding["roleRef"]?["name"] ?? "";
            var role = roleKind == "ClusterRole"
                ? store.Get(RbacResources.ClusterRoles.Storage, "", roleName)
                : store.Get(RbacResources.Roles.Storage, bindingNamespace, roleName);
            if (role is null)
            {
                errors.Add(roleKind == "ClusterRole"
                    ? $"clusterrole.rbac.authorization.k8s.io \"{roleName}\" not found"
                    : $"role.rbac.authorization.k8s.io \"{roleName}\" not found");
                continue;
            }

            var bindingKind = bindingNamespace.Length == 0 ? "ClusterRoleBinding" : "RoleBinding";
            var bindingName = (string?)binding["metadata"]?["name"] + (bindingNamespace.Length == 0 ? "" : "/" + bindingNamespace);
            yield return ($"{bindingKind} \"{bindingName}\" of {roleKind} \"{roleName}\" to {Describe(subject, bindingNamespace)}",
                (role["rules"] as JsonArray)?.OfType<JsonObject>() ?? []);
        }
    }

    /// <summary>Throws the apiserver's 403 Forbidden unless <paramref name="user"/> may do <paramref name="request"/>.</summary>
    public void Check(UserInfo user, AccessAttributes request)
    {
        var (allowed, reason) = Authorize(user, request);
        if (allowed)
        {
            return;
        }

        var message = request.ForbiddenMessage(user) + (reason.Length > 0 ? ": " + reason : "");
        if (!request.IsResourceRequest)
        {
            throw new ApiException(ApiErrors.Status(403, "Forbidden", $"forbidden: {message}", new JsonObject()));
        }

        var qualified = request.Group.Length == 0 ? request.Resource : $"{request.Resource}.{request.Group}";
        var subject = request.Name.Length == 0 ? qualified : $"{qualified} \"{request.Name}\"";
        var details = new JsonObject();
        if (request.Name.Length > 0)
        {
            details["name"] = request.Name;
        }

        if (request.Group.Length > 0)
        {
            details["group"] = request.Group;
        }

        details["kind"] = request.Resource;
        throw new ApiException(ApiErrors.Status(403, "Forbidden", $"{subject} is forbidden: {message}", details));
    }

    private IEnumerable<(JsonObject Binding, string Namespace)> Bindings(string ns)
    {
        foreach (var binding in store.List(RbacResources.ClusterRoleBindings.Storage, null).Items)
        {
            yield return (binding, "");
        }

        if (ns.Length > 0)
        {
            foreach (var binding in store.List(RbacResources.RoleBindings.Storage, ns).Items)
            {
                yield return (binding, ns);
            }
        }
    }

    // rbac.appliesToUser
    private static bool AppliesTo(JsonObject subject, UserInfo user, string bindingNamespace)
    {
        var name = (string?)subject["name"] ?? "";
        switch ((string?)subject["kind"])
        {
            case "User":
                return user.Name == name;
            case "Group":
                return user.Groups.Contains(name);
            case "ServiceAccount":
                var ns = (string?)subject["namespace"] is { Length: > 0 } explicitNamespace ? explicitNamespace : bindingNamespace;
                return ns.Length > 0 && user.Name == $"system:serviceaccount:{ns}:{name}";
            default:
                return false;
        }
    }

    private static string Describe(JsonObject subject, string bindingNamespace)
    {
        var kind = (string?)subject["kind"];
        var name = (string?)subject["name"];
        return kind == "ServiceAccount"
            ? $"{kind} \"{name}/{((string?)subject["namespace"] is { Length: > 0 } ns ? ns : bindingNamespace)}\""
            : $"{kind} \"{name}\"";
    }

    // rbac.RuleAllows
    private static bool Allows(JsonObject rule, AccessAttributes request)
    {
        if (!Has(rule, "verbs", request.Verb))
        {
            return false;
        }

        if (!request.IsResourceRequest)
        {
            return Strings(rule, "nonResourceURLs").Any(u => u == "*" || u == request.Path || (u.EndsWith('*') && request.Path!.StartsWith(u[..^1], StringComparison.Ordinal)));
        }

        var names = Strings(rule, "resourceNames").ToList();
        return Has(rule, "apiGroups", request.Group)
            && Strings(rule, "resources").Any(r => r == "*" || r == request.CombinedResource || (request.Subresource.Length > 0 && r == "*/" + request.Subresource))
            && (names.Count == 0 || names.Contains(request.Name));
    }

    private static bool Has(JsonObject rule, string field, string value) => Strings(rule, field).Any(v => v == "*" || v == value);

    private static IEnumerable<string> Strings(JsonObject rule, string field) =>
        (rule[field] as JsonArray)?.Select(v => (string?)v ?? "") ?? [];
}
