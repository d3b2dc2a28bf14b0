using System.Text;
using System.Text.RegularExpressions;

namespace ScaleControl.Core.Text;

/// <summary>
/// Text a person typed (a reason, a display name), put into markdown that DingTalk renders (robot messages, the card's
/// markdown fields): every character that could start markup is backslash-escaped, so the text shows literally and a
/// typed <c>[see runbook](http://evil)</c> does not become a link with a hidden target.
/// </summary>
public static partial class MarkdownText
{
    // Inline markup anywhere: links and images, emphasis, code, HTML (DingTalk renders <font>; an escaped "<" opens no
    // tag or autolink), tables, strike-through.
    private const string Inline = "\\`*_{}[]<#|~";

    // Block markup at a line's start: lists, setext headings and rules, quotes. A ">" inside a line starts nothing, so
    // "4 -> 10" stays as written (a backslash would show on a client that renders no escapes).
    private const string LineStart = "-+=>";

    public static string Escape(string? text)
    {
        if (string.IsNullOrEmpty(text))
        {
            return "";
        }

        var escaped = new StringBuilder(text.Length + 8);
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            var previous = i > 0 ? text[i - 1] : '\n';
            if (Inline.Contains(c, StringComparison.Ordinal)
                || (c == '(' && previous == ']') // "\]\(" never reads as a link, even to a renderer without escapes
                || (LineStart.Contains(c, StringComparison.Ordinal) && OnlySpacesBefore(text, i))
                || (c == '.' && char.IsAsciiDigit(previous) && OnlyDigitsBefore(text, i)))
            {
                escaped.Append('\\');
            }

            escaped.Append(c);
        }

        return escaped.ToString();
    }

    /// <summary>
    /// Text a person typed, shown inside one line of markdown (a card's reason, a notice, an answer quoting a reason):
    /// escaped as <see cref="Escape"/>, and its line breaks shown as <c>↵</c>, so a reason cannot start a line of its own
    /// that reads as the card's or the robot's (<c>✅ Approved by Zhang San at 10:32</c> under a pin request).
    /// </summary>
    public static string Line(string? text) => Escape(LineBreaks().Replace(text ?? "", " ↵ "));

    [GeneratedRegex("\r\n|[\r\n\u2028\u2029\u0085\v\f]")]
    private static partial Regex LineBreaks();

    private static bool OnlySpacesBefore(string text, int at) => StartOfLine(text, at, c => c == ' ');

    /// <summary>"1." at a line's start opens an ordered list.</summary>
    private static bool OnlyDigitsBefore(string text, int at) => StartOfLine(text, at, char.IsAsciiDigit);

    private static bool StartOfLine(string text, int at, Func<char, bool> allowed)
    {
        var i = at - 1;
        while (i >= 0 && allowed(text[i]))
        {
            i--;
        }

        return i < 0 || text[i] == '\n';
    }
}
