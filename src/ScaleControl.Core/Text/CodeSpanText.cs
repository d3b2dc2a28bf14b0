namespace ScaleControl.Core.Text;

/// <summary>
/// Text a person typed, echoed inside a markdown code span (<c>`…`</c>), a log line or an Event: one line, bounded, and
/// the markdown control characters as their full-width forms (<c>＊</c>, <c>｀</c>). A typed backtick would otherwise
/// close the span, and what followed it (<c>[x](http://evil)</c>) would render as a link; the full-width forms still
/// show what was typed and the chat parser reads them back as ASCII when the text is sent again.
/// </summary>
public static class CodeSpanText
{
    public static string Quote(string text, int maxLength = 120)
    {
        var flat = new string([.. text.Take(maxLength).Select(c => c switch
        {
            '\n' or '\r' => ' ',
            '`' or '*' or '[' or ']' => (char)(c + 0xFEE0),
            _ => c,
        })]);
        return text.Length > maxLength ? flat + "…" : flat;
    }
}
