using System.ComponentModel.DataAnnotations;

namespace ScaleControl.Server.Hosting;

/// <summary>
/// <c>ScaleControl:Peers</c>: how a follower reaches the leader. Only the leader runs the loop, so only it remembers
/// the evaluations <c>/status</c> and the dashboard show; a follower behind the same Service forwards those reads.
/// </summary>
public sealed class PeerOptions : IValidatableObject
{
    public const string SectionName = "ScaleControl:Peers";

    public const string LeaderPlaceholder = "{leader}";

    /// <summary>
    /// The leader's base URL with <c>{leader}</c> for its identity (the pod name), e.g.
    /// <c>http://{leader}.scalecontrol-peers.scalecontrol-system.svc:8080</c> (a headless Service the pods use as their
    /// subdomain). Unset: every replica answers from its own memory.
    /// </summary>
    [MaxLength(512)]
    public string? LeaderUrlTemplate { get; set; }

    /// <summary>How long a follower waits for the leader before it answers from its own memory.</summary>
    [Range(0.1, 30)]
    public double ForwardTimeoutSeconds { get; set; } = 3;

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (string.IsNullOrWhiteSpace(LeaderUrlTemplate))
        {
            yield break;
        }

        if (!LeaderUrlTemplate.Contains(LeaderPlaceholder, StringComparison.Ordinal)
            || !Uri.TryCreate(LeaderUrlTemplate.Replace(LeaderPlaceholder, "leader", StringComparison.Ordinal), UriKind.Absolute, out var url)
            || url.Scheme is not ("http" or "https"))
        {
            yield return new ValidationResult(
                $"LeaderUrlTemplate must be an absolute http(s) URL containing {LeaderPlaceholder}, e.g. http://{LeaderPlaceholder}.scalecontrol-peers.scalecontrol-system.svc:8080; got '{LeaderUrlTemplate}'",
                [nameof(LeaderUrlTemplate)]);
        }
    }
}
