using System.Net.Http.Json;
using Microsoft.Extensions.Options;
using ScaleControl.DingTalk.Api;
using ScaleControl.DingTalk.Configuration;

namespace ScaleControl.DingTalk.Notices;

/// <summary>A custom group robot ("自定义机器人", §6): signed POST to robot/send; the answer is judged by errcode.</summary>
public sealed class DingTalkWebhookClient(IHttpClientFactory httpClientFactory, IOptionsMonitor<DingTalkOptions> options, TimeProvider timeProvider)
{
    public async Task SendMarkdownAsync(DingTalkWebhookOptions webhook, string title, string markdown, CancellationToken cancellationToken)
    {
        // A robot with keywords drops messages that contain none of them.
        if (webhook.Keywords.Count > 0 && !webhook.Keywords.Any(k => markdown.Contains(k, StringComparison.Ordinal) || title.Contains(k, StringComparison.Ordinal)))
        {
            markdown = $"{webhook.Keywords[0]}: {markdown}";
        }

        var client = httpClientFactory.CreateClient(DingTalkHttpClients.Webhook);
        using var response = await client.PostAsJsonAsync(
            SignedUrl(webhook),
            new { msgtype = "markdown", markdown = new { title, text = markdown } },
            cancellationToken);
        response.EnsureSuccessStatusCode();
        var body = await response.Content.ReadFromJsonAsync<WebhookResponse>(DingTalkJson.Options, cancellationToken);
        if (body is null || body.Errcode != 0)
        {
            throw new DingTalkApiException(response.StatusCode, $"webhook.{body?.Errcode}", body?.Errmsg ?? "no response body", null);
        }
    }

    internal Uri SignedUrl(DingTalkWebhookOptions webhook)
    {
        var url = webhook.Url?.AbsoluteUri
            ?? DingTalkUris.Combine(options.CurrentValue.OapiBaseUrl, "robot/send").AbsoluteUri + "?access_token=" + Uri.EscapeDataString(webhook.AccessToken!);
        if (string.IsNullOrEmpty(webhook.Secret))
        {
            return new Uri(url);
        }

        var timestamp = timeProvider.GetUtcNow().ToUnixTimeMilliseconds();
        var sign = DingTalkSignatures.Webhook(webhook.Secret, timestamp);
        return new Uri($"{url}{(url.Contains('?', StringComparison.Ordinal) ? "&" : "?")}timestamp={timestamp}&sign={Uri.EscapeDataString(sign)}");
    }

    private sealed record WebhookResponse(int Errcode, string? Errmsg);
}
