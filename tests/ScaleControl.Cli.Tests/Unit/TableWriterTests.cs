using ScaleControl.Cli.Formatting;

namespace ScaleControl.Cli.Tests.Unit;

public class TableWriterTests
{
    [Fact]
    public void Write_Rows_AlignsColumnsThreeSpacesApart()
    {
        var table = new TableWriter("NAME", "MIN", "AGE");
        table.AddRow("checkout", "2", "5m");
        table.AddRow("a", "10", null);
        var output = new StringWriter();

        table.Write(output);

        var lines = output.ToString().Split(Environment.NewLine, StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(
            ["NAME       MIN   AGE", "checkout   2     5m", "a          10    <none>"],
            lines);
    }

    [Fact]
    public void AddRow_WrongCellCount_Throws() =>
        Assert.Throws<ArgumentException>(() => new TableWriter("A", "B").AddRow("only one"));
}
