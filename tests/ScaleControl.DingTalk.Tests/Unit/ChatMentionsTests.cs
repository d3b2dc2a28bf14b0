using ScaleControl.DingTalk.Chat;

namespace ScaleControl.DingTalk.Tests.Unit;

public sealed class ChatMentionsTests
{
    private static readonly Dictionary<string, string> s_names = new()
    {
        ["lisi"] = "Li Si",
        ["lisijr"] = "Li Si Jr",
        ["wangwu"] = "王五 Wang Wu",
    };

    [Theory]
    [InlineData(" @Li Si Jr approve shop/a", new[] { "lisi", "lisijr" }, "approve shop/a")]
    [InlineData(" reject shop/a @王五 Wang Wu too early", new[] { "wangwu" }, "reject shop/a too early")]
    [InlineData(" reject shop/a @Li Si too early", new string[0], "reject shop/a @Li Si too early")] // not mentioned: left as typed
    [InlineData(" status @zhaoliu", new[] { "zhaoliu" }, "status @zhaoliu")] // no configured name: the parser drops "@zhaoliu"
    public void Remove_TheWholeNameOfEachMentionedPersonWithAConfiguredName(string text, string[] mentioned, string expected)
    {
        var words = ChatMentions.Remove(text, mentioned, s_names).Split(' ', StringSplitOptions.RemoveEmptyEntries);

        Assert.Equal(expected, string.Join(' ', words));
    }
}
