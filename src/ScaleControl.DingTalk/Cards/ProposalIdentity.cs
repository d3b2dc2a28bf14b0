namespace ScaleControl.DingTalk.Cards;

/// <summary>The DingTalk card's outTrackId is the proposal's identity: "namespace.name" (namespaces hold no dots).</summary>
public static class ProposalIdentity
{
    public static string ToOutTrackId(string @namespace, string name) => $"{@namespace}.{name}";

    public static bool TryParseOutTrackId(string outTrackId, out string @namespace, out string name)
    {
        var dot = outTrackId.IndexOf('.', StringComparison.Ordinal);
        if (dot <= 0 || dot == outTrackId.Length - 1)
        {
            @namespace = name = "";
            return false;
        }

        @namespace = outTrackId[..dot];
        name = outTrackId[(dot + 1)..];
        return true;
    }
}
