using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using ScaleControl.Core.Ports;

namespace ScaleControl.Server.Security;

public static class ApprovalSigningExtensions
{
    /// <summary>The approval signing key (validated on start), the signers (approvals, override records, chat confirmations), the leader's verification and the card's (<see cref="IRecordSeals"/>).</summary>
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
        services.AddSingleton<IRecordSeals, RecordSealCheck>(); // the DingTalk card marks what does not verify
        return services;
    }
}
