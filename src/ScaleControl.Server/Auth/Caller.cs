using System.Security.Claims;

namespace ScaleControl.Server.Auth;

/// <summary>Who is calling, as resolved from a bearer token.</summary>
public sealed record Caller(string User, Role Role, IReadOnlyList<string> Namespaces)
{
    public const string NamespaceClaim = "scalecontrol.io/namespace";

    public bool CanActIn(string @namespace) =>
        Role == Role.Admin || (Role == Role.Operator && Namespaces.Any(n => n == "*" || n == @namespace));

    public ClaimsPrincipal ToPrincipal(string scheme)
    {
        var claims = new List<Claim> { new(ClaimTypes.Name, User), new(ClaimTypes.Role, Role.ToString().ToLowerInvariant()) };
        claims.AddRange(Namespaces.Select(n => new Claim(NamespaceClaim, n)));
        return new ClaimsPrincipal(new ClaimsIdentity(claims, scheme));
    }

    public static Caller FromPrincipal(ClaimsPrincipal principal)
    {
        var role = Enum.TryParse<Role>(principal.FindFirstValue(ClaimTypes.Role), ignoreCase: true, out var r) ? r : Role.Viewer;
        return new Caller(
            principal.Identity?.Name ?? "anonymous",
            role,
            [.. principal.FindAll(NamespaceClaim).Select(c => c.Value)]);
    }
}
