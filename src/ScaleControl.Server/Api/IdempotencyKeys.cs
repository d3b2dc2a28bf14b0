using ScaleControl.Server.Control.Overrides;

namespace ScaleControl.Server.Api;

/// <summary>
/// The <c>Idempotency-Key</c> request header (IETF httpapi draft): a client that retries a freeze, unfreeze or unpin it is
/// not sure went through sends the same key, and the override is carried out and recorded once (<see cref="OverrideRecords"/>).
/// </summary>
public static class IdempotencyKeys
{
    public const string Header = "Idempotency-Key";

    /// <summary>Runs the override with the request's key (null without one); a key that is empty, repeated or too long is refused first.</summary>
    public static async Task<OverrideResult> WithKeyAsync(HttpContext http, Func<string?, Task<OverrideResult>> run)
    {
        var (key, refusal) = Of(http);
        return refusal ?? await run(key);
    }

    private static (string? Key, OverrideResult? Refusal) Of(HttpContext http)
    {
        var values = http.Request.Headers[Header];
        if (values.Count == 0)
        {
            return (null, null);
        }

        return values is [{ Length: > 0 and <= OverrideRecords.MaxRequestKeyLength } key]
            ? (key, null)
            : (null, new OverrideResult(null, $"{Header} must be one value of 1 to {OverrideRecords.MaxRequestKeyLength} characters", StatusCodes.Status400BadRequest));
    }
}
