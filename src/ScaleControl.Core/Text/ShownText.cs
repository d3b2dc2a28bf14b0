namespace ScaleControl.Core.Text;

/// <summary>What a caller sent, echoed in an error: at most <c>maxLength</c> characters and "…" when cut, so a 5,000-character value does not come back whole.</summary>
public static class ShownText
{
    public static string Cut(string text, int maxLength) => text.Length > maxLength ? text[..maxLength] + "…" : text;
}
