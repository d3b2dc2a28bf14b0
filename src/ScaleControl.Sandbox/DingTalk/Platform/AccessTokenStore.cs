using System.Collections.Concurrent;
using System.Security.Cryptography;

namespace ScaleControl.Sandbox.DingTalk.Platform;

/// <summary>
/// App access tokens: opaque, 7200 s, bound to one app. Asking again within validity returns the same token and
/// extends its life (official doc); after expiry a new one is issued. Shared by /v1.0/oauth2/accessToken and /gettoken.
/// </summary>
public sealed class AccessTokenStore(DingTalkSandboxOptions options, TimeProvider time)
{
    private readonly ConcurrentDictionary<string, IssuedToken> _byToken = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, IssuedToken> _byApp = new(StringComparer.Ordinal);
    private readonly Lock _issueLock = new();

    public IssuedToken Issue(SandboxApp app)
    {
        lock (_issueLock)
        {
            var now = time.GetUtcNow();
            var expiresAt = now + options.TokenLifetime;
            if (_byApp.TryGetValue(app.AppKey, out var current) && current.ExpiresAt > now)
            {
                var extended = current with { ExpiresAt = expiresAt };
                _byApp[app.AppKey] = extended;
                _byToken[extended.Token] = extended;
                return extended;
            }

            if (current is not null)
            {
                _byToken.TryRemove(current.Token, out _);
            }

            var issued = new IssuedToken(Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16)), app.AppKey, expiresAt);
            _byApp[app.AppKey] = issued;
            _byToken[issued.Token] = issued;
            return issued;
        }
    }

    /// <summary>The app a live token belongs to, or null when it is unknown or expired.</summary>
    public string? Validate(string? token) =>
        token is not null && _byToken.TryGetValue(token, out var issued) && issued.ExpiresAt > time.GetUtcNow() ? issued.AppKey : null;

    public int SecondsLeft(IssuedToken token) => (int)Math.Round((token.ExpiresAt - time.GetUtcNow()).TotalSeconds);
}

public sealed record IssuedToken(string Token, string AppKey, DateTimeOffset ExpiresAt);
