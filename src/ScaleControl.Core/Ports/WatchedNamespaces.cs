namespace ScaleControl.Core.Ports;

/// <summary>
/// The namespaces this ScaleControl works in (<c>ScaleControl:Kubernetes:Namespaces</c>): all of them, or a fixed set
/// whose namespaced kinds are listed and watched one namespace at a time (what a Role per namespace allows).
/// </summary>
public sealed class WatchedNamespaces
{
    /// <summary>One list and one watch per namespace and kind: beyond this, a cluster-wide ClusterRole is the better fit.</summary>
    public const int MaxCount = 100;

    public const string Setting = "ScaleControl:Kubernetes:Namespaces";

    private readonly HashSet<string> _set;

    public WatchedNamespaces(IEnumerable<string> names)
    {
        Names = [.. names.Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal)];
        _set = new HashSet<string>(Names, StringComparer.Ordinal);
    }

    /// <summary>The namespaces, sorted; empty when every namespace is watched.</summary>
    public IReadOnlyList<string> Names { get; }

    public bool IsAll => Names.Count == 0;

    /// <summary>What a list or watch runs over: each namespace, or <c>null</c> once for the cluster-wide endpoint.</summary>
    public IReadOnlyList<string?> Scopes => IsAll ? [null] : [.. Names];

    public bool Contains(string @namespace) => IsAll || _set.Contains(@namespace);

    /// <summary>"a, b" or "all namespaces".</summary>
    public override string ToString() => IsAll ? "all namespaces" : string.Join(", ", Names);

    /// <summary>Why a request for <paramref name="namespace"/> is refused, naming the configured set.</summary>
    public string Refusal(string @namespace) =>
        $"namespace '{@namespace}' is not watched by this ScaleControl: it works only in {ToString()} ({Setting})";

    /// <summary>Throws <see cref="NamespaceNotWatchedException"/> for a namespace outside the set; a null namespace (all) passes.</summary>
    public void Require(string? @namespace)
    {
        if (@namespace is not null && !Contains(@namespace))
        {
            throw new NamespaceNotWatchedException(@namespace, Refusal(@namespace));
        }
    }

    /// <summary>Every problem of a configured list, naming the entry (empty when it is valid).</summary>
    public static IEnumerable<string> Problems(IReadOnlyList<string?> names)
    {
        if (names.Count > MaxCount)
        {
            yield return $"{Setting} lists {names.Count} namespaces; at most {MaxCount} are allowed (leave it empty to watch all namespaces)";
        }

        for (var i = 0; i < names.Count; i++)
        {
            if (!IsLabel(names[i]))
            {
                yield return $"{Setting}:{i} '{names[i]}' is not a namespace name: a DNS-1123 label (lower-case letters, digits and '-', starting and ending with a letter or digit, at most 63 characters)";
            }
        }
    }

    private static bool IsLabel(string? name) =>
        name is { Length: > 0 and <= 63 }
        && IsAlphanumeric(name[0])
        && IsAlphanumeric(name[^1])
        && name.All(c => IsAlphanumeric(c) || c == '-');

    private static bool IsAlphanumeric(char c) => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c);
}
