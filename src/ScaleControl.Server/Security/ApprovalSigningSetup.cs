using System.Security.Cryptography;
using Microsoft.Extensions.Options;
using ScaleControl.Server.Hosting;

namespace ScaleControl.Server.Security;

/// <summary>
/// Resolves the signing key: inline, else from <see cref="ApprovalSigningOptions.SigningKeyFile"/>, else (sandbox only)
/// a random key for this process. Cluster mode without a key refuses to start and names the setting.
/// </summary>
internal sealed class ApprovalSigningSetup(ServerModeInfo mode) : IPostConfigureOptions<ApprovalSigningOptions>, IValidateOptions<ApprovalSigningOptions>
{
    private readonly string _sandboxKey = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));

    public void PostConfigure(string? name, ApprovalSigningOptions options)
    {
        if (string.IsNullOrEmpty(options.SigningKey) && !string.IsNullOrWhiteSpace(options.SigningKeyFile) && File.Exists(options.SigningKeyFile))
        {
            options.SigningKey = File.ReadAllText(options.SigningKeyFile).Trim();
        }

        if (string.IsNullOrEmpty(options.SigningKey) && mode.Mode == ServerMode.Sandbox)
        {
            options.SigningKey = _sandboxKey;
        }
    }

    public ValidateOptionsResult Validate(string? name, ApprovalSigningOptions options)
    {
        var errors = new List<string>();
        if (string.IsNullOrEmpty(options.SigningKey))
        {
            errors.Add(options.SigningKeyFile is null
                ? $"{ApprovalSigningOptions.SectionName}:SigningKey (or SigningKeyFile) is required in cluster mode: every replica signs approvals with it (keep it in a Secret)."
                : $"{ApprovalSigningOptions.SectionName}:SigningKeyFile '{options.SigningKeyFile}' does not exist or is empty.");
        }
        else if (options.SigningKey.Length < ApprovalSigningOptions.MinimumKeyLength)
        {
            errors.Add($"{ApprovalSigningOptions.SectionName}:SigningKey must be at least {ApprovalSigningOptions.MinimumKeyLength} characters (got {options.SigningKey.Length}).");
        }

        if (options.MaxApprovalAgeSeconds is < 60 or > 86_400)
        {
            errors.Add($"{ApprovalSigningOptions.SectionName}:MaxApprovalAgeSeconds must be between 60 and 86400 (got {options.MaxApprovalAgeSeconds}).");
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
