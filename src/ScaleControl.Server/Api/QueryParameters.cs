using System.Reflection;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.AspNetCore.Routing;

namespace ScaleControl.Server.Api;

/// <summary>
/// The query parameters an endpoint takes, read from its handler as the framework binds them: a parameter of a type read
/// from text (a string, number, time, enum) that is not in the route, under its own name. A service, the body, the
/// <see cref="HttpContext"/> or a cancellation token is no query parameter.
/// </summary>
public static class QueryParameters
{
    /// <summary>The product's API: a parameter it does not take is refused. The sandbox's emulators take what their real counterparts ignore.</summary>
    public static bool AreChecked(HttpContext http) => http.Request.Path.StartsWithSegments("/api/v1", StringComparison.Ordinal);

    /// <summary>Name → type, matched in any case, as the framework matches a query key to a parameter.</summary>
    public static Dictionary<string, Type> Of(HttpContext http, MethodInfo handler)
    {
        var route = (http.GetEndpoint() as RouteEndpoint)?.RoutePattern.Parameters.Select(p => p.Name).ToHashSet(StringComparer.OrdinalIgnoreCase) ?? [];
        var taken = new Dictionary<string, Type>(StringComparer.OrdinalIgnoreCase);
        foreach (var parameter in handler.GetParameters())
        {
            var attributes = parameter.GetCustomAttributes(inherit: true);
            var fromQuery = attributes.OfType<IFromQueryMetadata>().FirstOrDefault();
            var elsewhere = attributes.Any(a => a is IFromBodyMetadata or IFromHeaderMetadata or IFromRouteMetadata or IFromServiceMetadata or IFromFormMetadata);
            var name = fromQuery?.Name ?? parameter.Name;
            if (name is null || elsewhere || (fromQuery is null && (route.Contains(name) || !ReadFromText(parameter.ParameterType))))
            {
                continue;
            }

            taken[name] = parameter.ParameterType;
        }

        return taken;
    }

    /// <summary>What the caller is told for <c>?phse=Pending</c>: the name as sent (cut) and what the endpoint takes.</summary>
    public static string Unknown(string name, IEnumerable<string> taken)
    {
        var list = taken.Order(StringComparer.Ordinal).ToList();
        var takes = list.Count == 0 ? "this endpoint takes no query parameters" : $"this endpoint takes {string.Join(", ", list)}";
        return $"'{ScaleControl.Core.Text.ShownText.Cut(name, 40)}' is not a query parameter here: {takes} (check the spelling; unknown parameters are refused, not ignored).";
    }

    private static bool ReadFromText(Type type)
    {
        var t = Nullable.GetUnderlyingType(type) ?? type;
        return t == typeof(string) || t.IsPrimitive || t.IsEnum || t == typeof(decimal) || t == typeof(DateTimeOffset) || t == typeof(DateTime)
            || t == typeof(TimeSpan) || t == typeof(Guid) || t == typeof(DateOnly) || t == typeof(TimeOnly);
    }
}
