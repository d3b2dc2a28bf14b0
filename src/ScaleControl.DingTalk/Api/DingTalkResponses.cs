using System.Net;
using System.Text.Json;

namespace ScaleControl.DingTalk.Api;

internal static class DingTalkResponses
{
    /// <summary>Turns a non-success response into a <see cref="DingTalkApiException"/> with the body's code.</summary>
    public static async Task ThrowIfErrorAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        if (response.IsSuccessStatusCode)
        {
            return;
        }

        var error = await ReadErrorAsync(response, cancellationToken);
        throw new DingTalkApiException(
            response.StatusCode,
            error?.Code ?? $"http.{(int)response.StatusCode}",
            error?.Message ?? response.ReasonPhrase ?? "no error body",
            error?.RequestId);
    }

    /// <summary>The <c>{code,message,requestid}</c> body, or null when the body is not one (e.g. an HTML ban page).</summary>
    public static async Task<ErrorBody?> ReadErrorAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        if (response.StatusCode == HttpStatusCode.OK)
        {
            return null;
        }

        var text = await response.Content.ReadAsStringAsync(cancellationToken);
        try
        {
            return JsonSerializer.Deserialize<ErrorBody>(text, DingTalkJson.Options) is { Code: not null } body ? body : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
