using Microsoft.Extensions.Options;

namespace ScaleControl.DingTalk.Configuration;

/// <summary>Reads secrets given as files (mounted Kubernetes secrets) when no inline value is set.</summary>
internal sealed class DingTalkOptionsSetup : IPostConfigureOptions<DingTalkOptions>
{
    public void PostConfigure(string? name, DingTalkOptions options)
    {
        options.AppSecret = FromFile(options.AppSecret, options.AppSecretFile);
        options.CallbackApiSecret = FromFile(options.CallbackApiSecret, options.CallbackApiSecretFile);
        foreach (var webhook in options.Webhooks.Values)
        {
            webhook.Secret = FromFile(webhook.Secret, webhook.SecretFile);
        }
    }

    private static string? FromFile(string? inline, string? path)
    {
        if (!string.IsNullOrEmpty(inline) || string.IsNullOrWhiteSpace(path) || !File.Exists(path))
        {
            return inline;
        }

        return File.ReadAllText(path).Trim();
    }
}
