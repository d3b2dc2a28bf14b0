using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;
using ScaleControl.Sandbox.Kubernetes.Api;
using ScaleControl.Sandbox.Kubernetes.Resources;
using ScaleControl.Sandbox.Kubernetes.Storage;

namespace ScaleControl.Sandbox.Kubernetes.Auth;

/// <summary>
/// Bearer tokens to users: the kubeconfig's admin token (and no token at all) is the all-powerful admin, the
/// configured users' tokens name them, and ServiceAccount tokens (issued by TokenRequest, <c>kubectl create token</c>)
/// name their ServiceAccount while it still exists with the same uid (across restarts on kept state: the signing key is
/// kept with it). Anything else is 401 Unauthorized.
/// </summary>
internal sealed class Authenticator(SandboxKubernetesOptions options, ObjectStore store, TimeProvider time)
{
    private const string ServiceAccountPrefix = "sandbox-sa.";

    // Signs ServiceAccount tokens; kept with the cluster's state (as a real cluster's sa.key), so a token outlives a restart.
    private readonly byte[] _key = Convert.FromBase64String(
        store.ClusterValue("serviceAccountSigningKey", () => Convert.ToBase64String(RandomNumberGenerator.GetBytes(32))));

    public UserInfo Authenticate(HttpRequest request)
    {
        var header = request.Headers.Authorization.ToString();
        if (header.Length == 0)
        {
            return UserInfo.Admin;
        }

        const string bearer = "Bearer ";
        var token = header.StartsWith(bearer, StringComparison.OrdinalIgnoreCase) ? header[bearer.Length..].Trim() : "";
        if (token == options.AdminToken)
        {
            return UserInfo.Admin;
        }

        if (options.Users.TryGetValue(token, out var user))
        {
            return new UserInfo(user.Name, "", [.. user.Groups.Where(g => g != UserInfo.Authenticated), UserInfo.Authenticated]);
        }

        return ServiceAccountUser(token) ?? throw Unauthorized();
    }

    /// <summary>A token for the ServiceAccount <paramref name="serviceAccount"/>, valid until <paramref name="expires"/>.</summary>
    public string Issue(JsonObject serviceAccount, DateTimeOffset expires)
    {
        var claims = string.Join('\n',
            Meta(serviceAccount, "namespace"), Meta(serviceAccount, "name"), Meta(serviceAccount, "uid"),
            expires.ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture));
        var payload = Base64Url(Encoding.UTF8.GetBytes(claims));
        return ServiceAccountPrefix + payload + "." + Base64Url(HMACSHA256.HashData(_key, Encoding.ASCII.GetBytes(payload)));
    }

    private UserInfo? ServiceAccountUser(string token)
    {
        if (!token.StartsWith(ServiceAccountPrefix, StringComparison.Ordinal) || token[ServiceAccountPrefix.Length..].Split('.') is not [var payload, var signature])
        {
            return null;
        }

        var expected = Base64Url(HMACSHA256.HashData(_key, Encoding.ASCII.GetBytes(payload)));
        if (!CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(expected), Encoding.ASCII.GetBytes(signature)))
        {
            return null;
        }

        var claims = Encoding.UTF8.GetString(Convert.FromBase64String(FromBase64Url(payload))).Split('\n');
        if (claims is not [var ns, var name, var uid, var expires] || long.Parse(expires, System.Globalization.CultureInfo.InvariantCulture) < time.GetUtcNow().ToUnixTimeSeconds())
        {
            return null;
        }

        // As the apiserver: a token of a deleted (or deleted and re-created) ServiceAccount is no longer valid.
        var current = store.Get(BuiltInResources.ServiceAccounts.Storage, ns, name);
        return current is not null && (string?)current["metadata"]?["uid"] == uid ? UserInfo.ServiceAccount(ns, name, uid) : null;
    }

    private static string Meta(JsonObject o, string field) => (string?)o["metadata"]?[field] ?? "";

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    private static string FromBase64Url(string text)
    {
        var padded = text.Replace('-', '+').Replace('_', '/');
        return padded + new string('=', (4 - (padded.Length % 4)) % 4);
    }

    private static ApiException Unauthorized() => new(ApiErrors.Status(401, "Unauthorized", "Unauthorized"));
}
