using Polly;

namespace ScaleControl.DingTalk.Api;

public static class DingTalkFailures
{
    /// <summary>
    /// DingTalk said no, could not be reached, or the resilience pipeline gave up (open circuit, total timeout):
    /// the failures a caller reports and retries later rather than crash on.
    /// </summary>
    public static bool IsCallFailure(Exception exception) =>
        exception is DingTalkApiException or HttpRequestException or ExecutionRejectedException;

    /// <summary>
    /// Why a call for <paramref name="what"/> failed "not now": DingTalk throttled it, was busy or could not be reached,
    /// so the caller sends it whole on a later pass (a <c>NotifierBusyException</c>) instead of recording it as failed;
    /// null when DingTalk said no for good, or for any other failure.
    /// </summary>
    public static string? NotNow(Exception exception, string what) => exception switch
    {
        DingTalkApiException e when DingTalkErrorCodes.IsRetryable(e.StatusCode, e.Code) => $"DingTalk throttled or busy for {what} ({e.Code}: {e.ErrorMessage})",
        DingTalkApiException => null,
        _ when IsCallFailure(exception) => $"DingTalk unreachable for {what} ({exception.Message})",
        _ => null,
    };
}
