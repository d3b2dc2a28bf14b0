using ScaleControl.Core.Signals;
using ScaleControl.Testing.Traffic;

namespace ScaleControl.Sandbox.Tests.Traffic;

public sealed class SamplePoliciesTests
{
    [Fact]
    public async Task SamplePolicies_Queries_AreAnsweredInProcessByTheSandbox()
    {
        var world = new TrafficTestWorld(o => o.Services = Sandbox.Traffic.SandboxTrafficOptions.DefaultServices());
        var queries = SamplePolicyQueries.SandboxConvention();

        var readings = await world.Source.QueryAsync(queries, CancellationToken.None);

        Assert.True(queries.Count >= 5);
        Assert.All(readings.Values, r => Assert.True(r.Status == MetricStatus.Ok, $"{r.Query}: {r.Status} {r.Problem}"));
    }
}
