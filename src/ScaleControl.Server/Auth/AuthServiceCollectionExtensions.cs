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
        builder.Services.AddAuthorizationBuilder()
            .AddPolicy(AccessPolicies.Viewer, p => p.RequireRole("viewer", "operator", "admin"))
            .AddPolicy(AccessPolicies.Operator, p => p.RequireRole("operator", "admin"))
            .AddPolicy(AccessPolicies.Admin, p => p.RequireRole("admin"));
        return builder;
    }
}
