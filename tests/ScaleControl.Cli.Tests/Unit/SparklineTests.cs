using ScaleControl.Cli.Formatting;

namespace ScaleControl.Cli.Tests.Unit;

public class SparklineTests
{
    [Fact]
    public void Render_RisingSeries_GoesFromLowestToHighestBar() =>
        Assert.Equal("▁▃▆█", Sparkline.Render([0, 1, 2, 3]));

    [Fact]
    public void Render_LongSeries_SqueezesToWidthKeepingPeaks()
    {
        var values = Enumerable.Range(0, 100).Select(i => (double?)(i == 57 ? 10 : 1)).ToList();

        var line = Sparkline.Render(values, width: 10);

        Assert.Equal(10, line.Length);
        Assert.Equal("▁▁▁▁▁█▁▁▁▁", line);
    }

    [Fact]
    public void Render_MissingValues_AreBlank() => Assert.Equal("▁ █", Sparkline.Render([1, null, 2]));
}
