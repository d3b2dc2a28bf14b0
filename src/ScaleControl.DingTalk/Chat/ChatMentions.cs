namespace ScaleControl.DingTalk.Chat;

/// <summary>
/// DingTalk shows another person's @-mention in <c>text.content</c> as <c>@</c> and their name, and a name may hold
/// spaces (<c>@李四 Li Si</c>): the parser's rule (a word starting with <c>@</c> is a mention) would leave <c>Li Si</c>
/// behind as words of the command. The people mentioned are known from <c>atUsers</c>; for those whose name is
/// configured (<c>ScaleControl:DingTalk:UserNames</c>) the whole <c>@name</c> is removed first.
/// </summary>
public static class ChatMentions
{
    public static string Remove(string text, IReadOnlyList<string> mentionedStaffIds, IReadOnlyDictionary<string, string> names)
    {
        // The longest names first, so that "@Li Si Jr" is not cut to " Jr" by "@Li Si".
        foreach (var name in mentionedStaffIds.Select(id => names.GetValueOrDefault(id)).OfType<string>()
            .Where(n => n.Length > 0).Distinct(StringComparer.Ordinal).OrderByDescending(n => n.Length))
        {
            text = text.Replace("@" + name, " ", StringComparison.Ordinal);
        }

        return text;
    }
}
