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

    /// <summary>The embedding, override and isolate controls that reorder how text reads (Trojan Source).</summary>
    public static bool IsBidiControl(char c) => c is (>= '\u202A' and <= '\u202E') or (>= '\u2066' and <= '\u2069');
}
