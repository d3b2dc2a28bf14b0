namespace ScaleControl.Server.Auth;

/// <summary><c>ScaleControl:Auth</c>: bearer tokens from configuration and/or a JSON file (a mounted Secret in a cluster).</summary>
public sealed class AuthOptions
{
    public const string SectionName = "ScaleControl:Auth";

    /// <summary>The environment variable that, when set, adds an admin token (user <c>admin</c>).</summary>
    public const string AdminTokenVariable = "SCALECONTROL_ADMIN_TOKEN";

    public List<TokenGrant> Tokens { get; set; } = [];

    /// <summary>A JSON file holding an array of <see cref="TokenGrant"/>.</summary>
    public string? TokensFile { get; set; }

    /// <summary>
    /// People who may command the DingTalk robot, by DingTalk userId (the chat's senderStaffId): the same roles and
    /// namespaces as tokens. Anyone not listed is refused.
    /// </summary>
    public List<PersonGrant> People { get; set; } = [];
}

/// <summary>One person in the chat and what they may do (the model of <see cref="TokenGrant"/>, keyed by userId).</summary>
public sealed class PersonGrant
{
    public string UserId { get; set; } = "";
    public string Role { get; set; } = "";

    /// <summary>For operators: the namespaces they may act in ("*" = all).</summary>
    public List<string> Namespaces { get; set; } = [];
}

/// <summary>One bearer token and what it grants.</summary>
public sealed class TokenGrant
{
    public string Token { get; set; } = "";
    public string User { get; set; } = "";
    public string Role { get; set; } = "";

    /// <summary>For operators: the namespaces they may act in ("*" = all).</summary>
    public List<string> Namespaces { get; set; } = [];
}
