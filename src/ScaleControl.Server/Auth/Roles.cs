namespace ScaleControl.Server.Auth;

/// <summary>What a token may do: viewers read, operators act on proposals and overrides in their namespaces, admins do everything.</summary>
public enum Role
{
    Viewer,
    Operator,
    Admin,
}

/// <summary>Authorization policy names used by the endpoint groups.</summary>
public static class AccessPolicies
{
    public const string Viewer = "viewer";
    public const string Operator = "operator";
    public const string Admin = "admin";
}
