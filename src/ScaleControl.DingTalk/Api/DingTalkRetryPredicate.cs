using Polly;
using Polly.Timeout;

namespace ScaleControl.DingTalk.Api;

/// <summary>The resilience handler's retry rule: DingTalk's throttling/transient codes yes, <c>param.*</c> never (§9.3).</summary>
internal static class DingTalkRetryPredicate
{
    public static async ValueTask<bool> ShouldRetryAsync(Outcome<HttpResponseMessage> outcome)
    {
        if (outcome.Exception is not null)
        {
            return outcome.Exception is HttpRequestException or TimeoutRejectedException;
        }

        if (outcome.Result is not { IsSuccessStatusCode: false } response)
        {
            return false;
        }

        var error = await DingTalkResponses.ReadErrorAsync(response, CancellationToken.None);
        return DingTalkErrorCodes.IsRetryable(response.StatusCode, error?.Code);
    }
}
