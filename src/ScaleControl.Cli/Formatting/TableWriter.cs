namespace ScaleControl.Cli.Formatting;

/// <summary>kubectl-style table: upper-case headers, columns padded to the widest cell, three spaces apart.</summary>
internal sealed class TableWriter(params string[] headers)
{
    private const string None = "<none>";
    private readonly List<string[]> _rows = [];

    public int Count => _rows.Count;

    public void AddRow(params string?[] cells)
    {
        if (cells.Length != headers.Length)
        {
            throw new ArgumentException($"expected {headers.Length} cells, got {cells.Length}", nameof(cells));
        }

        _rows.Add([.. cells.Select(c => string.IsNullOrEmpty(c) ? None : c.ReplaceLineEndings(" "))]);
    }

    public void Write(TextWriter output)
    {
        var widths = headers.Select((h, i) => Math.Max(h.Length, _rows.Count == 0 ? 0 : _rows.Max(r => r[i].Length))).ToArray();
        WriteLine(output, headers, widths);
        foreach (var row in _rows)
        {
            WriteLine(output, row, widths);
        }
    }

    private static void WriteLine(TextWriter output, string[] cells, int[] widths)
    {
        for (var i = 0; i < cells.Length; i++)
        {
            var last = i == cells.Length - 1;
            output.Write(last ? cells[i] : cells[i].PadRight(widths[i] + 3));
        }

        output.WriteLine();
    }
}
