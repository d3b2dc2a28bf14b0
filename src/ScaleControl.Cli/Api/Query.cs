namespace ScaleControl.Cli.Api;

/// <summary>Builds <c>path?key=value&amp;...</c>, leaving out parameters without a value.</summary>
internal static class Query
{
    public static string Build(string path, params (string Key, string? Value)[] parameters)
    {
        var pairs = parameters
            .Where(p => !string.IsNullOrEmpty(p.Value))
            .Select(p => $"{Uri.EscapeDataString(p.Key)}={Uri.EscapeDataString(p.Value!)}")
            .ToList();
        return pairs.Count == 0 ? path : $"{path}?{string.Join('&', pairs)}";
    }
}
