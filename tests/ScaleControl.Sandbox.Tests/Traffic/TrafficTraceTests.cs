using ScaleControl.Simulation;

namespace ScaleControl.Sandbox.Tests.Traffic;

/// <summary>The sandbox replays traces with the same reader as the replay benchmark (ScaleControl.Simulation).</summary>
public sealed class TrafficTraceTests
{
    [Fact]
    public void Parse_HeaderCommentsAndExtraSeries_AreRead()
    {
        var trace = TrafficTrace.Parse("t", ["# recorded 2026-11-01", "# spikeStart=30", "seconds,qps,pushes", "", "0,100,0", "60,400,1000"]);

        Assert.Equal(60, trace.DurationSeconds);
        Assert.Equal(30, trace.SpikeStartSeconds);
        Assert.Equal(100, trace.QpsAt(0));
        Assert.Equal(250, trace.QpsAt(30));
        Assert.Equal(400, trace.QpsAt(60));
        Assert.Equal(400, trace.QpsAt(61));
        Assert.Equal(500, trace.SeriesAt("pushes", 30));
        Assert.Null(trace.SeriesAt("other", 30));
    }

    [Theory]
    [InlineData(new[] { "0,100", "abc" }, "line 2: expected 'seconds,qps'")]
    [InlineData(new[] { "0,100", "10,-1" }, "line 2: seconds and qps must be non-negative")]
    [InlineData(new[] { "10,100", "5,100" }, "line 2: seconds must increase")]
    [InlineData(new[] { "seconds,qps" }, "needs at least two rows")]
    [InlineData(new[] { "seconds,qps,note", "0,100,quiet", "60,400,spike" }, "line 2: column 3 must be a number")]
    [InlineData(new[] { "0,100,1", "60,400" }, "line 2: expected 3 columns")]
    [InlineData(new[] { "# spikeStart=soon", "0,100", "60,400" }, "line 1: spikeStart must be")]
    public void Parse_BadRows_SayWhichLineAndWhy(string[] lines, string message)
    {
        var error = Assert.Throws<FormatException>(() => TrafficTrace.Parse("bad", lines));

        Assert.Contains(message, error.Message);
    }
}
