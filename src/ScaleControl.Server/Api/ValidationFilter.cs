using FluentValidation;

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
            return TypedResults.Problem(statusCode: StatusCodes.Status400BadRequest, title: "Request body required", detail: $"send a {typeof(T).Name} as JSON");
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
