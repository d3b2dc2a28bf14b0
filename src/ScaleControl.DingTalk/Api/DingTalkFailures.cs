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
}
