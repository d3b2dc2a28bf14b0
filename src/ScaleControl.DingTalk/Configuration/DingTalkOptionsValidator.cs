using Microsoft.Extensions.Options;

namespace ScaleControl.DingTalk.Configuration;

/// <summary>Fails the host at start with every configuration problem listed (secret values are never echoed).</summary>
internal sealed class DingTalkOptionsValidator : IValidateOptions<DingTalkOptions>
{
    public ValidateOptionsResult Validate(string? name, DingTalkOptions options)
    {
        var errors = new List<string>();
        CheckBaseUrl(errors, nameof(options.ApiBaseUrl), options.ApiBaseUrl);
        CheckBaseUrl(errors, nameof(options.OapiBaseUrl), options.OapiBaseUrl);

        if (string.IsNullOrWhiteSpace(options.AppKey))
        {
            errors.Add("AppKey is required.");
        }

        if (string.IsNullOrEmpty(options.AppSecret))
        {
            errors.Add(options.AppSecretFile is null
                ? "AppSecret (or AppSecretFile) is required."
                : $"AppSecretFile '{options.AppSecretFile}' does not exist or is empty.");
        }

        if (string.IsNullOrWhiteSpace(options.CardTemplateId))
        {
            errors.Add("CardTemplateId is required.");
        }

        if (options.CallbackMode == DingTalkCallbackMode.Http)
        {
            if (string.IsNullOrWhiteSpace(options.CallbackRouteKey))
            {
                errors.Add("CallbackRouteKey is required when CallbackMode is Http.");
            }

            // An unsigned callback endpoint would let anyone on the network approve a scale action.
            if (string.IsNullOrEmpty(options.CallbackApiSecret))
            {
                errors.Add(options.CallbackApiSecretFile is null
                    ? "CallbackApiSecret (or CallbackApiSecretFile) is required when CallbackMode is Http."
                    : $"CallbackApiSecretFile '{options.CallbackApiSecretFile}' does not exist or is empty.");
            }

            if (options.CallbackPublicUrl is { IsAbsoluteUri: false })
            {
                errors.Add("CallbackPublicUrl must be an absolute URL.");
            }
        }

        if (options.Instance is { } instance
            && (instance.Length is 0 or > 40 || !instance.All(c => c is (>= 'a' and <= 'z') or (>= '0' and <= '9') or '-')))
        {
            errors.Add("Instance must be 1–40 lower-case letters, digits or '-'.");
        }

        if (options.ChatConversationIds.Count > 50 || options.ChatConversationIds.Any(c => string.IsNullOrWhiteSpace(c) || c.Length > 128))
        {
            errors.Add("ChatConversationIds must hold at most 50 non-empty conversation ids of at most 128 characters.");
        }

        if (options.ChatMessagesPerMinute is < 1 or > 600)
        {
            errors.Add("ChatMessagesPerMinute must be between 1 and 600.");
        }

        if (options.StreamConnections is < 1 or > 4)
        {
            errors.Add("StreamConnections must be between 1 and 4.");
        }

        if (options.CallbackMaxClockSkew <= TimeSpan.Zero)
        {
            errors.Add("CallbackMaxClockSkew must be positive.");
        }

        if (options.DetailsBaseUrl is { IsAbsoluteUri: false })
        {
            errors.Add("DetailsBaseUrl must be an absolute URL.");
        }

        if (!TimeZoneInfo.TryFindSystemTimeZoneById(options.TimeZone, out _))
        {
            errors.Add($"TimeZone '{options.TimeZone}' is not a known time zone; use an IANA id such as Asia/Shanghai.");
        }

        if (options.MaxRetryAttempts is < 0 or > 10)
        {
            errors.Add("MaxRetryAttempts must be between 0 and 10.");
        }

        if (options.RetryBaseDelay < TimeSpan.Zero)
        {
            errors.Add("RetryBaseDelay must not be negative.");
        }

        foreach (var (webhookName, webhook) in options.Webhooks)
        {
            if (webhook.Url is null && string.IsNullOrWhiteSpace(webhook.AccessToken))
            {
                errors.Add($"Webhooks:{webhookName} needs Url or AccessToken.");
            }

            if (webhook.Url is { IsAbsoluteUri: false })
            {
                errors.Add($"Webhooks:{webhookName}:Url must be an absolute URL.");
            }

            if (webhook.SecretFile is not null && string.IsNullOrEmpty(webhook.Secret))
            {
                errors.Add($"Webhooks:{webhookName}:SecretFile '{webhook.SecretFile}' does not exist or is empty.");
            }

            if (webhook.MaxMessagesPerMinute is < 1 or > 20)
            {
                errors.Add($"Webhooks:{webhookName}:MaxMessagesPerMinute must be between 1 and 20.");
            }
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }

    private static void CheckBaseUrl(List<string> errors, string name, Uri? url)
    {
        if (url is null || !url.IsAbsoluteUri || (url.Scheme != Uri.UriSchemeHttp && url.Scheme != Uri.UriSchemeHttps))
        {
            errors.Add($"{name} must be an absolute http(s) URL.");
        }
    }
}
