using ScaleControl.Sandbox.Traffic;

namespace ScaleControl.Sandbox.Tests.Traffic;

public sealed class TrafficTraceTests
{
    [Fact]
    public void Parse_HeaderCommentsAndExtraColumns_AreIgnored()
    {
        var trace = TrafficTrace.Parse("t", ["# recorded 2026-11-01", "seconds,qps,note", "", "0,100,quiet", "60,400,spike"]);

        Assert.Equal(60, trace.DurationSeconds);
        Assert.Equal(100, trace.QpsAt(0));
        Assert.Equal(250, trace.QpsAt(30));
        Assert.Equal(400, trace.QpsAt(60));
        Assert.Null(trace.QpsAt(61));
    }

    [Theory]
    [InlineData(new[] { "0,100", "abc" }, "line 2: expected 'seconds,qps'")]
    [InlineData(new[] { "0,100", "10,-1" }, "line 2: seconds and qps must be non-negative")]
    [InlineData(new[] { "10,100", "5,100" }, "line 2: seconds must increase")]
    [InlineData(new[] { "seconds,qps" }, "has no rows")]
    public void Parse_BadRows_SayWhichLineAndWhy(string[] lines, string message)
    {
        var error = Assert.Throws<FormatException>(() => TrafficTrace.Parse("bad", lines));

        Assert.Contains(message, error.Message);
    }
}
