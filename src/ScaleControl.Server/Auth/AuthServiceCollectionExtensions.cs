using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;
using ScaleControl.Server.Hosting;

namespace ScaleControl.Server.Auth;

public static class AuthServiceCollectionExtensions
{
    /// <summary>Bearer tokens → {user, role, namespaces}; policies <c>viewer</c> ⊂ <c>operator</c> ⊂ <c>admin</c>.</summary>
    public static WebApplicationBuilder AddScaleControlAuth(this WebApplicationBuilder builder, ServerMode mode)
    {
        builder.Services.AddOptions<AuthOptions>().BindConfiguration(AuthOptions.SectionName).ValidateOnStart();
        builder.Services.AddSingleton<IValidateOptions<AuthOptions>, AuthOptionsValidator>();
        builder.Services.AddSingleton(sp => TokenDirectory.Create(
            sp.GetRequiredService<IOptions<AuthOptions>>().Value,
            builder.Configuration[AuthOptions.AdminTokenVariable],
            sandbox: mode == ServerMode.Sandbox));

        builder.Services.AddAuthentication(BearerTokenHandler.SchemeName)
            .AddScheme<AuthenticationSchemeOptions, BearerTokenHandler>(BearerTokenHandler.SchemeName, _ => { });
        builder.Services.SkipDataProtectionKeyRingAtStart();
        builder.Services.AddAuthorizationBuilder()
            .AddPolicy(AccessPolicies.Viewer, p => p.RequireRole("viewer", "operator", "admin"))
            .AddPolicy(AccessPolicies.Operator, p => p.RequireRole("operator", "admin"))
            .AddPolicy(AccessPolicies.Admin, p => p.RequireRole("admin"));
        return builder;
    }

    /// <summary>
    /// AddAuthentication brings ASP.NET Core data protection, whose hosted service creates a key ring at start:
    /// key files under ~/.aspnet (refused by a read-only root filesystem) and ~4 MB of XML and crypto machinery.
    /// Bearer tokens protect nothing with it, so the key ring is left to be created on first use, which never comes.
    /// </summary>
    private static void SkipDataProtectionKeyRingAtStart(this IServiceCollection services)
    {
        const string keyRingLoader = "Microsoft.AspNetCore.DataProtection.Internal.DataProtectionHostedService";
        foreach (var descriptor in services.Where(d => d.ServiceType == typeof(IHostedService) && d.ImplementationType?.FullName == keyRingLoader).ToList())
        {
            services.Remove(descriptor);
        }
    }
}
