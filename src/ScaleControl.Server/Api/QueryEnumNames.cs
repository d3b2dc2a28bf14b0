using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Primitives;

namespace ScaleControl.Server.Api;

/// <summary>
/// An enum query value is a name in any case (<c>?phase=applied</c>: kubectl users type lower case), but never a number
/// or a list. The framework binds enums case-sensitively, so a name in another case is handed on as the name.
/// </summary>
public static class QueryEnumNames
{
    /// <summary>The enum's name that <paramref name="value"/> spells, in any case; null for a number, a list or no name.</summary>
    public static string? Find(Type enumType, string value) =>
        Enum.GetNames(enumType).FirstOrDefault(n => string.Equals(n, value, StringComparison.OrdinalIgnoreCase));

    /// <summary>Rewrites the query so each enum value the handler takes is its name as declared (checked before: each names one).</summary>
    public static void Normalize(HttpContext http, IReadOnlyDictionary<string, Type> taken)
    {
        Dictionary<string, StringValues>? rewritten = null;
        foreach (var (key, values) in http.Request.Query)
        {
            if (values.Count == 1 && taken.TryGetValue(key, out var type) && (Nullable.GetUnderlyingType(type) ?? type) is { IsEnum: true } enumType
                && Find(enumType, values[0]!) is { } name && name != values[0])
            {
                rewritten ??= http.Request.Query.ToDictionary(p => p.Key, p => p.Value, StringComparer.OrdinalIgnoreCase);
                rewritten[key] = name;
            }
        }

        if (rewritten is not null)
        {
            http.Request.Query = new QueryCollection(rewritten);
        }
    }
}
