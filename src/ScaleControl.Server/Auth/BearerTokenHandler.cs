using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;

namespace ScaleControl.Server.Auth;

/// <summary>Authenticates <c>Authorization: Bearer &lt;token&gt;</c> against the <see cref="TokenDirectory"/>; challenges answer with ProblemDetails.</summary>
public sealed class BearerTokenHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options,
    ILoggerFactory logger,
    UrlEncoder encoder,
    TokenDirectory tokens,
    IProblemDetailsService problems)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "Bearer";
    private const string Prefix = "Bearer ";

    protected override Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        string? header = Request.Headers.Authorization;
        if (string.IsNullOrEmpty(header))
        {
            return Task.FromResult(AuthenticateResult.NoResult());
        }

        if (!header.StartsWith(Prefix, StringComparison.OrdinalIgnoreCase))
        {
            return Task.FromResult(AuthenticateResult.Fail("the Authorization header is not a bearer token"));
        }

        var caller = tokens.Find(header[Prefix.Length..].Trim());
        return Task.FromResult(caller is null
            ? AuthenticateResult.Fail("unknown bearer token")
            : AuthenticateResult.Success(new AuthenticationTicket(caller.ToPrincipal(SchemeName), SchemeName)));
    }

    protected override async Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        Response.StatusCode = StatusCodes.Status401Unauthorized;
        Response.Headers.WWWAuthenticate = "Bearer";
        var result = await HandleAuthenticateOnceSafeAsync();
        var detail = result.Failure?.Message ?? "send 'Authorization: Bearer <token>'";
        await WriteProblemAsync(StatusCodes.Status401Unauthorized, "Authentication required", detail);
    }

    protected override Task HandleForbiddenAsync(AuthenticationProperties properties)
    {
        Response.StatusCode = StatusCodes.Status403Forbidden;
        var caller = Caller.FromPrincipal(Context.User);
        return WriteProblemAsync(StatusCodes.Status403Forbidden, "Forbidden", $"{caller.User} has role {caller.Role.ToString().ToLowerInvariant()}, which may not do this");
    }

    private Task WriteProblemAsync(int status, string title, string detail) =>
        problems.WriteAsync(new ProblemDetailsContext
        {
            HttpContext = Context,
            ProblemDetails = new ProblemDetails { Status = status, Title = title, Detail = detail },
        }).AsTask();
}
