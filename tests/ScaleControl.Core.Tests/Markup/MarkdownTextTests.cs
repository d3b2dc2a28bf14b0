using ScaleControl.Core.Ports;
using ScaleControl.Core.Text;

namespace ScaleControl.Core.Tests.Markup;

public sealed class MarkdownTextTests
{
    [Theory]
    [InlineData("[click](http://evil) ![x](http://evil/t.png)", @"\[click\]\(http://evil) !\[x\]\(http://evil/t.png)")]
    [InlineData("<font color=red>red</font> a|b ~~x~~", @"\<font color=red>red\</font> a\|b \~\~x\~\~")]
    [InlineData("40/pod -> 6, stay at 6", "40/pod -> 6, stay at 6")] // an arrow inside a line is no quote
    [InlineData("**urgent** _now_ `x`", @"\*\*urgent\*\* \_now\_ \`x\`")]
    [InlineData("# title\n> quoted\n - item\n1. first\ncheckout-api 2 - 1", "\\# title\n\\> quoted\n \\- item\n1\\. first\ncheckout-api 2 - 1")]
    [InlineData(@"a\b", @"a\\b")]
    [InlineData("v1.2 push to 30M users", "v1.2 push to 30M users")] // a dot inside a line starts nothing
    [InlineData("双十一大促 ｇａｌａ", "双十一大促 ｇａｌａ")]
    [InlineData(null, "")]
    public void Escape_ShowsTheTextLiterally(string? text, string escaped) => Assert.Equal(escaped, MarkdownText.Escape(text));

    [Theory]
    [InlineData("gala\n\n✅ **Approved** by Zhang San", "gala ↵  ↵ ✅ \\*\\*Approved\\*\\* by Zhang San")]
    [InlineData("a\r\nb\u2028c\u2029# d", "a ↵ b ↵ c ↵ \\# d")] // a heading after a break is escaped all the same
    [InlineData("one line", "one line")]
    [InlineData(null, "")]
    public void Line_ShowsTheTextLiterally_OnOneLine(string? text, string escaped) => Assert.Equal(escaped, MarkdownText.Line(text));
}
