namespace ScaleControl.DingTalk.Cards;

/// <summary>
/// The DingTalk card's outTrackId is the proposal's identity: "namespace.name" (namespaces hold no dots), prefixed
/// with the ScaleControl instance when several share one DingTalk app ("prod:shop.checkout-api-7f3a"; namespaces
/// hold no colons either), so that each knows its own cards.
/// </summary>
public static class ProposalIdentity
{
    public static string ToOutTrackId(string @namespace, string name) => ToOutTrackId(null, @namespace, name);

    public static string ToOutTrackId(string? instance, string @namespace, string name) =>
        string.IsNullOrEmpty(instance) ? $"{@namespace}.{name}" : $"{instance}:{@namespace}.{name}";

    public static bool TryParseOutTrackId(string outTrackId, out string @namespace, out string name) =>
        TryParseOutTrackId(outTrackId, out _, out @namespace, out name);

    /// <param name="instance">The instance named in the id, or null when it names none (a card of a lone instance).</param>
    public static bool TryParseOutTrackId(string outTrackId, out string? instance, out string @namespace, out string name)
    {
        var colon = outTrackId.IndexOf(':', StringComparison.Ordinal);
        var dot = outTrackId.IndexOf('.', StringComparison.Ordinal);
        instance = colon > 0 && (dot < 0 || colon < dot) ? outTrackId[..colon] : null;
        var rest = instance is null ? outTrackId : outTrackId[(colon + 1)..];
        dot = rest.IndexOf('.', StringComparison.Ordinal);
        if (dot <= 0 || dot == rest.Length - 1 || (colon == 0))
        {
            instance = null;
            @namespace = name = "";
            return false;
        }

        @namespace = rest[..dot];
        name = rest[(dot + 1)..];
        return true;
    }
}
