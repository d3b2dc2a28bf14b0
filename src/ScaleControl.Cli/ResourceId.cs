using ScaleControl.Cli.Api;

namespace ScaleControl.Cli;

/// <summary>A namespaced object named as kubectl users type it: <c>NAMESPACE/NAME</c>, or <c>NAME</c> with <c>-n</c>.</summary>
internal readonly record struct ResourceId(string Namespace, string Name)
{
    public static ResourceId Parse(string text, string defaultNamespace)
    {
        var parts = text.Split('/');
        var id = parts.Length switch
        {
            1 => new ResourceId(defaultNamespace, parts[0]),
            2 => new ResourceId(parts[0], parts[1]),
            _ => default,
        };
        if (string.IsNullOrWhiteSpace(id.Namespace) || string.IsNullOrWhiteSpace(id.Name) || IsDotSegment(id.Namespace) || IsDotSegment(id.Name))
        {
            throw new CliException($"'{text}' is not a valid id: use NAMESPACE/NAME, or NAME with -n NAMESPACE");
        }

        return id;
    }

    /// <summary>The id as a URL path (<c>ns/name</c>), each part escaped.</summary>
    public string Path => $"{Segment(Namespace)}/{Segment(Name)}";

    /// <summary>
    /// A name as one URL path segment. "." and ".." are refused: escaping leaves them as they are and the URL resolves
    /// them away, so <c>unprepare shop/checkout-api ..</c> sent DELETE policies/shop/checkout-api and deleted the policy.
    /// An empty name is refused too: it addressed the collection (<c>unprepare shop/x ''</c> answered "405 Method Not Allowed").
    /// </summary>
    public static string Segment(string name) =>
        IsDotSegment(name) || string.IsNullOrWhiteSpace(name) ? throw new CliException($"'{name}' is not a valid name") : Uri.EscapeDataString(name);

    private static bool IsDotSegment(string name) => name is "." or "..";

    public override string ToString() => $"{Namespace}/{Name}";
}
