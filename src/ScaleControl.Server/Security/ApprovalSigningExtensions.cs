using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace ScaleControl.Server.Security;

public static class ApprovalSigningExtensions
{
    /// <summary>The approval signing key (validated on start), the signers (approvals, override records, chat confirmations) and the leader's verification.</summary>
    public static IServiceCollection AddApprovalSigning(this IServiceCollection services)
    {
        services.AddOptions<ApprovalSigningOptions>().BindConfiguration(ApprovalSigningOptions.SectionName).ValidateOnStart();
        services.TryAddSingleton<ApprovalSigningSetup>();
        services.AddSingleton<IPostConfigureOptions<ApprovalSigningOptions>>(sp => sp.GetRequiredService<ApprovalSigningSetup>());
        services.AddSingleton<IValidateOptions<ApprovalSigningOptions>>(sp => sp.GetRequiredService<ApprovalSigningSetup>());
        services.AddSingleton<ApprovalSigner>();
        services.AddSingleton<OverrideRecordSigner>();
        services.AddSingleton<ChatConfirmationSigner>();
        services.AddSingleton<ApprovalVerification>();
        return services;
    }
}
