namespace ScaleControl.DingTalk.Api;

/// <summary>Names of the HttpClients registered by <c>AddScaleControlDingTalk</c>.</summary>
public static class DingTalkHttpClients
{
    /// <summary>api.dingtalk.com calls, behind the standard resilience handler with DingTalk's retry rules.</summary>
    public const string Api = "ScaleControl.DingTalk.Api";

    /// <summary>Custom-robot webhooks (best-effort notices; throttling answers are not retried).</summary>
    public const string Webhook = "ScaleControl.DingTalk.Webhook";
}
