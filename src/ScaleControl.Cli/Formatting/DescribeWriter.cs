namespace ScaleControl.Cli.Formatting;

/// <summary>kubectl-describe layout: "Key:   value" lines with values aligned per block, sections indented below a title.</summary>
internal sealed class DescribeWriter(TextWriter output)
{
    private readonly List<(int Indent, string Key, string? Value)> _lines = [];

    public DescribeWriter Field(string key, object? value, int indent = 0)
    {
        var text = value?.ToString();
        _lines.Add((indent, key, string.IsNullOrEmpty(text) ? "<none>" : text));
        return this;
    }

    public DescribeWriter Section(string title, int indent = 0)
    {
        _lines.Add((indent, title, null));
        return this;
    }

    public void Flush()
    {
        var width = _lines.Where(l => l.Value is not null).Select(l => l.Indent * 2 + l.Key.Length + 1).DefaultIfEmpty(0).Max();
        foreach (var (indent, key, value) in _lines)
        {
            var label = new string(' ', indent * 2) + key + ":";
            output.WriteLine(value is null ? label : label.PadRight(width + 2) + value);
        }

        _lines.Clear();
    }
}
