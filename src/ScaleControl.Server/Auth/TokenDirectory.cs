using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Options;

namespace ScaleControl.Server.Auth;

/// <summary>
/// The bearer tokens this server accepts: configuration, the tokens file, <c>SCALECONTROL_ADMIN_TOKEN</c> and, in
/// sandbox mode, the demo tokens. Lookups compare SHA-256 digests so the token table holds no plaintext.
/// </summary>
public sealed class TokenDirectory
{
    private readonly Dictionary<string, Caller> _byDigest;

    public TokenDirectory(IEnumerable<TokenGrant> grants)
    {
        _byDigest = new Dictionary<string, Caller>(StringComparer.Ordinal);
        foreach (var grant in grants)
        {
            var role = Enum.Parse<Role>(grant.Role, ignoreCase: true);
            _byDigest[Digest(grant.Token)] = new Caller(grant.User, role, grant.Namespaces);
        }
    }

    public int Count => _byDigest.Count;

    public Caller? Find(string token) => _byDigest.GetValueOrDefault(Digest(token));

    /// <summary>The fixed tokens of sandbox mode (printed at start; never accepted in cluster mode).</summary>
    public static IReadOnlyList<TokenGrant> SandboxDemoTokens { get; } =
    [
        new() { Token = "sandbox-admin", User = "admin", Role = "admin" },
        new() { Token = "sandbox-zhangsan", User = "zhangsan", Role = "operator", Namespaces = ["shop", "feed", "video"] },
        new() { Token = "sandbox-viewer", User = "viewer", Role = "viewer" },
    ];

    public static TokenDirectory Create(AuthOptions options, string? adminToken, bool sandbox)
    {
        var grants = new List<TokenGrant>(options.Tokens);
        grants.AddRange(ReadTokensFile(options.TokensFile));
        if (!string.IsNullOrWhiteSpace(adminToken))
        {
            grants.Add(new TokenGrant { Token = adminToken, User = "admin", Role = "admin" });
        }

        if (sandbox)
        {
            grants.AddRange(SandboxDemoTokens);
        }

        return new TokenDirectory(grants);
    }

    internal static IReadOnlyList<TokenGrant> ReadTokensFile(string? path)
    {
        if (string.IsNullOrWhiteSpace(path))
        {
            return [];
        }

        using var stream = File.OpenRead(path);
        return JsonSerializer.Deserialize<List<TokenGrant>>(stream, JsonSerializerOptions.Web) ?? [];
    }

    private static string Digest(string token) => Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(token)));
}

/// <summary>Fails start-up with a specific message for every bad token entry (config or file).</summary>
public sealed class AuthOptionsValidator : IValidateOptions<AuthOptions>
{
    public ValidateOptionsResult Validate(string? name, AuthOptions options)
    {
        var failures = new List<string>();
        var grants = new List<(string Where, TokenGrant Grant)>();
        grants.AddRange(options.Tokens.Select((g, i) => ($"{AuthOptions.SectionName}:Tokens:{i}", g)));

        if (!string.IsNullOrWhiteSpace(options.TokensFile))
        {
            try
            {
                grants.AddRange(TokenDirectory.ReadTokensFile(options.TokensFile).Select((g, i) => ($"{options.TokensFile}[{i}]", g)));
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or JsonException)
            {
                failures.Add($"{AuthOptions.SectionName}:TokensFile '{options.TokensFile}' cannot be read: {ex.Message}");
            }
        }

        foreach (var (where, grant) in grants)
        {
            if (string.IsNullOrWhiteSpace(grant.Token))
            {
                failures.Add($"{where}: token is empty");
            }

            if (string.IsNullOrWhiteSpace(grant.User))
            {
                failures.Add($"{where}: user is empty");
            }

            if (!Enum.TryParse<Role>(grant.Role, ignoreCase: true, out _) || int.TryParse(grant.Role, out _))
            {
                failures.Add($"{where}: role '{grant.Role}' is not one of viewer, operator, admin");
            }
        }

        foreach (var (person, i) in options.People.Select((p, i) => (p, i)))
        {
            var where = $"{AuthOptions.SectionName}:People:{i}";
            if (string.IsNullOrWhiteSpace(person.UserId))
            {
                failures.Add($"{where}: userId is empty");
            }

            if (!Enum.TryParse<Role>(person.Role, ignoreCase: true, out _) || int.TryParse(person.Role, out _))
            {
                failures.Add($"{where}: role '{person.Role}' is not one of viewer, operator, admin");
            }
        }

        failures.AddRange(options.People.GroupBy(p => p.UserId, StringComparer.Ordinal).Where(g => g.Key.Length > 0 && g.Count() > 1)
            .Select(g => $"{AuthOptions.SectionName}:People lists userId '{g.Key}' {g.Count()} times"));

        var duplicates = grants.GroupBy(g => g.Grant.Token, StringComparer.Ordinal).Where(g => g.Key.Length > 0 && g.Count() > 1);
        failures.AddRange(duplicates.Select(d => $"the same token is configured {d.Count()} times ({string.Join(", ", d.Select(x => x.Where))})"));

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
