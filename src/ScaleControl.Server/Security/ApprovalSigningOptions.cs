namespace ScaleControl.Server.Security;

/// <summary>
/// <c>ScaleControl:Approvals</c>: the key every replica signs approval records with and the leader verifies before it
/// scales. Required in cluster mode (all replicas share it; keep it in a Secret); the sandbox keeps one with its cluster state
/// (<c>approval-signing.key</c>, new on <c>--reset</c>).
/// </summary>
public sealed class ApprovalSigningOptions
{
    public const string SectionName = "ScaleControl:Approvals";

    /// <summary>At least 32 characters of secret text.</summary>
    public string? SigningKey { get; set; }

    /// <summary>Or a file holding it (a mounted Secret).</summary>
    public string? SigningKeyFile { get; set; }

    /// <summary>An approval older than this is not applied (a copied, replayed record).</summary>
    public int MaxApprovalAgeSeconds { get; set; } = 900;

    public const int MinimumKeyLength = 32;
}
