using FluentValidation;
using Microsoft.AspNetCore.Http.Metadata;

namespace ScaleControl.Server.Api;

/// <summary>
/// The one place request bodies are validated: runs the registered <see cref="IValidator{T}"/> for the endpoint's
/// <typeparamref name="T"/> argument and answers 400 <c>HttpValidationProblemDetails</c> keyed by camelCase field
/// paths (<c>spec.metrics[0].query</c>).
/// </summary>
public sealed class ValidationFilter<T>(IValidator<T> validator) : IEndpointFilter
{
    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var argument = context.Arguments.OfType<T>().FirstOrDefault();
        if (argument is null)
        {
            // approve, reject and undo declare their body optional (the handler reads request?.Replicas): none sent is no
            // error ("send a ApproveRequest as JSON" was); a body that reads as null still is.
            return context.HttpContext.GetEndpoint()?.Metadata.GetMetadata<IAcceptsMetadata>() is { IsOptional: true } && NoBodySent(context.HttpContext.Request)
                ? await next(context)
                : TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["$"] = [BadRequestHandler.BodyRequired] }, title: "Request body required");
        }

        var result = await validator.ValidateAsync(argument, context.HttpContext.RequestAborted);
        if (result.IsValid)
        {
            return await next(context);
        }

        var errors = result.Errors
            .GroupBy(e => FieldPath.ToCamelCase(e.PropertyName))
            .ToDictionary(g => g.Key, g => g.Select(e => e.ErrorMessage).Distinct().ToArray());
        return TypedResults.ValidationProblem(errors, title: $"The {typeof(T).Name} is invalid");
    }

    private static bool NoBodySent(HttpRequest request) =>
        request.ContentLength is null or 0 && Microsoft.Extensions.Primitives.StringValues.IsNullOrEmpty(request.Headers.TransferEncoding);
}

public static class ValidationFilterExtensions
{
    /// <summary>Validates the <typeparamref name="T"/> body with FluentValidation before the handler runs.</summary>
    public static RouteHandlerBuilder Validate<T>(this RouteHandlerBuilder builder) =>
        builder.AddEndpointFilter<ValidationFilter<T>>().ProducesValidationProblem();
}

/// <summary>FluentValidation names properties "Spec.Metrics[0].Query"; the API speaks JSON paths "spec.metrics[0].query".</summary>
public static class FieldPath
{
    public static string ToCamelCase(string path) =>
        string.Join('.', path.Split('.').Select(s => s.Length == 0 ? s : char.ToLowerInvariant(s[0]) + s[1..]));
}
