namespace ScaleControl.Server.Auth;

/// <summary>Operators act only in their namespaces: checks the route's <c>{ns}</c> against the caller's grant (403 otherwise).</summary>
public sealed class NamespaceAccessFilter : IEndpointFilter
{
    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var http = context.HttpContext;
        var caller = Caller.FromPrincipal(http.User);
        if (http.GetRouteValue("ns") is string ns && !caller.CanActIn(ns))
        {
            return TypedResults.Problem(
                statusCode: StatusCodes.Status403Forbidden,
                title: "Forbidden",
                detail: $"{caller.User} ({caller.Role.ToString().ToLowerInvariant()}) may not act in namespace '{ns}'");
        }

        return await next(context);
    }
}
