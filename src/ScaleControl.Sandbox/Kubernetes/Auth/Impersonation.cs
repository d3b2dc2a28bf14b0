using Microsoft.AspNetCore.Http;
using ScaleControl.Sandbox.Kubernetes.Api;

namespace ScaleControl.Sandbox.Kubernetes.Auth;

/// <summary>
/// <c>kubectl --as=… --as-group=… --as-uid=…</c>: the Impersonate-* headers, as the apiserver's impersonation filter
/// (endpoints/filters/impersonation.go) handles them. The caller needs the <c>impersonate</c> verb on each thing it
/// claims — the user (<c>users</c>, or <c>serviceaccounts</c> in its namespace for a ServiceAccount), each group
/// (<c>groups</c>), the uid (<c>uids</c>) and each extra (<c>userextras/&lt;key&gt;</c>) — else 403; the request then runs
/// as that user, with system:authenticated added (and a ServiceAccount's groups when none were asked for).
/// </summary>
internal static class Impersonation
{
    private const string UserHeader = "Impersonate-User";
    private const string GroupHeader = "Impersonate-Group";
    private const string UidHeader = "Impersonate-Uid";
    private const string ExtraPrefix = "Impersonate-Extra-";
    private const string ServiceAccountPrefix = "system:serviceaccount:";

    public static UserInfo Apply(HttpRequest request, UserInfo caller, RbacAuthorizer authorizer)
    {
        var name = request.Headers[UserHeader].ToString();
        var groups = request.Headers[GroupHeader].Where(g => !string.IsNullOrEmpty(g)).Select(g => g!).ToList();
        var uid = request.Headers[UidHeader].ToString();
        var extras = request.Headers.Where(h => h.Key.StartsWith(ExtraPrefix, StringComparison.OrdinalIgnoreCase)).ToList();
        if (name.Length == 0)
        {
            return groups.Count == 0 && uid.Length == 0 && extras.Count == 0
                ? caller
                : throw ApiErrors.BadRequest($"requested {Describe(groups, uid, extras)} without impersonating a user");
        }

        if (name.StartsWith(ServiceAccountPrefix, StringComparison.Ordinal) && name[ServiceAccountPrefix.Length..].Split(':') is [var ns, var account])
        {
            authorizer.Check(caller, new AccessAttributes("impersonate", Resource: "serviceaccounts", Namespace: ns, Name: account));
            if (groups.Count == 0)
            {
                groups.AddRange(UserInfo.ServiceAccount(ns, account, "").Groups.Where(g => g != UserInfo.Authenticated));
            }
        }
        else
        {
            authorizer.Check(caller, new AccessAttributes("impersonate", Resource: "users", Name: name));
        }

        foreach (var group in request.Headers[GroupHeader].Where(g => !string.IsNullOrEmpty(g)))
        {
            authorizer.Check(caller, new AccessAttributes("impersonate", Resource: "groups", Name: group!));
        }

        if (uid.Length > 0)
        {
            authorizer.Check(caller, new AccessAttributes("impersonate", "authentication.k8s.io", "uids", Name: uid));
        }

        foreach (var (key, values) in extras)
        {
            foreach (var value in values)
            {
                authorizer.Check(caller, new AccessAttributes("impersonate", "authentication.k8s.io", "userextras", Uri.UnescapeDataString(key[ExtraPrefix.Length..]).ToLowerInvariant(), Name: value ?? ""));
            }
        }

        if (name != "system:anonymous" && !groups.Contains(UserInfo.Authenticated) && !groups.Contains("system:unauthenticated"))
        {
            groups.Add(UserInfo.Authenticated);
        }

        return new UserInfo(name, uid, groups);
    }

    private static string Describe(List<string> groups, string uid, List<KeyValuePair<string, Microsoft.Extensions.Primitives.StringValues>> extras)
    {
        var parts = new List<string>();
        parts.AddRange(groups.Select(g => $"{GroupHeader}={g}"));
        if (uid.Length > 0)
        {
            parts.Add($"{UidHeader}={uid}");
        }

        parts.AddRange(extras.Select(e => $"{e.Key}={e.Value}"));
        return "[" + string.Join(" ", parts) + "]";
    }
}
