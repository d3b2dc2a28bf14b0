using System.Net;

namespace ScaleControl.DingTalk.Api;

/// <summary>The error codes the client acts on (dingtalk-protocol.md §9.3) and how each is treated.</summary>
public static class DingTalkErrorCodes
{
    public const string CardAlreadyExists = "param.cardAlreadyExist";
    public const string CardNotExists = "param.cardNotExist";
    public const string InvalidAuthentication = "InvalidAuthentication";
    public const string SystemBusy = "system.busy";

    private static readonly string[] s_retryableCodes =
    [
        SystemBusy, "system.error", "unknownError", "send.too.fast", "send.byToken.tooFast", "toomuch.msg",
    ];

    /// <summary>Throttling and transient server trouble: worth a retry with backoff.</summary>
    public static bool IsRetryable(HttpStatusCode status, string? code)
    {
        if (code is not null && IsNeverRetried(code))
        {
            return false;
        }

        if (code is not null && (code.StartsWith("Forbidden.AccessDenied.QpsLimit", StringComparison.Ordinal)
            || code.StartsWith("too.many.", StringComparison.Ordinal)
            || s_retryableCodes.Contains(code, StringComparer.Ordinal)))
        {
            return true;
        }

        // 403 is only a throttle when it says so (other 403s are permission or quota problems).
        return status == HttpStatusCode.TooManyRequests || (int)status >= 500
            || (status == HttpStatusCode.Forbidden && code is null);
    }

    /// <summary>Caller mistakes and hard limits: retrying cannot help.</summary>
    public static bool IsNeverRetried(string code) =>
        code.StartsWith("param.", StringComparison.Ordinal)
        || code.StartsWith("invalidParameter.", StringComparison.Ordinal)
        || code is "invalidClientIdOrSecret" or "Forbidden.AccessDenied.ApiCountLimitForOrg" or "ding.serverquota.insufficient";

    /// <summary>The token was rejected: drop it, fetch a new one, retry once.</summary>
    public static bool IsTokenRejected(HttpStatusCode status, string? code) =>
        status == HttpStatusCode.Unauthorized || code == InvalidAuthentication;
}
