namespace ScaleControl.Core.Policies.Validation;

/// <summary>Every string in a policy has a limit: what is stored is read by every replica, the dashboard and the cards.</summary>
public static class TextLimits
{
    public const int Reason = 1000;
    public const int Query = 4000;
    public const int UserId = 64;
    public const int Approvers = 50;
    public const int ConversationId = 128;

    /// <summary>A DingTalk userId as a roster names it: no whitespace, control or bidi characters (an empty one is reported on its own).</summary>
    public static bool IsUserId(string? id) => id is null || !id.Any(c => char.IsWhiteSpace(c) || char.IsControl(c) || IsBidiControl(c));

    /// <summary>Text that ends up in logs, events and cards: no terminal escapes, NULs or Trojan-Source bidi controls (tab and newline are fine).</summary>
    public static bool IsPlainText(string? text) =>
        text is null || !text.Any(c => (char.IsControl(c) && c is not '\n' and not '\t') || IsBidiControl(c));

    /// <summary>
    /// What a person types now (a reason sent to the API or the chat): plain text, and nothing that shows otherwise than
    /// it is stored (<see cref="IsHidden"/>). Stored policies are held to <see cref="IsPlainText"/> only: a reason
    /// accepted before this check must not make its policy invalid, which would stop the loop acting on it.
    /// </summary>
    public static bool IsPlainInput(string? text) => IsPlainText(text) && (text is null || !text.Any(IsHidden));

    /// <summary>The embedding, override and isolate controls that reorder how text reads (Trojan Source).</summary>
    public static bool IsBidiControl(char c) => c is (>= '\u202A' and <= '\u202E') or (>= '\u2066' and <= '\u2069');

    /// <summary>
    /// Characters that show nothing or show differently on each screen: the bidi marks (LRM, RLM, the Arabic letter
    /// mark), which reorder text one character at a time (<c>1\u200F0</c> reads as 01 beside Arabic or Hebrew), the
    /// zero-width space and word joiners, the byte-order mark, the soft hyphen, the Mongolian vowel separator, and the
    /// line and paragraph separators (one line in a log, two on a card). The zero-width joiners stay: emoji and some
    /// scripts need them.
    /// </summary>
    public static bool IsHidden(char c) =>
        c is '\u200E' or '\u200F' or '\u061C' or '\u200B' or (>= '\u2060' and <= '\u2064') or '\uFEFF' or '\u00AD' or '\u180E' or '\u2028' or '\u2029';
}
