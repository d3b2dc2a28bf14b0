namespace ScaleControl.Cli.Formatting;

/// <summary>A label and its text, the text wrapped at spaces to a width and its further lines indented under its start.</summary>
internal static class HangingText
{
    /// <summary>Terminals are wider, but status lines stay readable at this width (and in a pasted incident note).</summary>
    public const int Width = 100;

    public static IEnumerable<string> Lines(string label, int labelWidth, string text, int width = Width)
    {
        var indent = new string(' ', labelWidth);
        var room = Math.Max(20, width - labelWidth);
        var line = new System.Text.StringBuilder();
        var first = true;
        foreach (var word in text.Split(' ', StringSplitOptions.RemoveEmptyEntries))
        {
            if (line.Length > 0 && line.Length + 1 + word.Length > room)
            {
                yield return (first ? label.PadRight(labelWidth) : indent) + line;
                first = false;
                line.Clear();
            }

            line.Append(line.Length > 0 ? " " : "").Append(word);
        }

        yield return (first ? label.PadRight(labelWidth) : indent) + line;
    }
}
