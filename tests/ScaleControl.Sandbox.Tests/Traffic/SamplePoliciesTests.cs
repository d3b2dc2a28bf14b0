using ScaleControl.Testing.Traffic;

namespace ScaleControl.Sandbox.Tests.Traffic;

public sealed class SamplePoliciesTests
{
    [Fact]
    public void SamplePolicies_Queries_AreAnsweredByTheSandboxQueryApi()
    {
        var world = new TrafficTestWorld(o => o.Services = Sandbox.Traffic.SandboxTrafficOptions.DefaultServices());
        var queries = SamplePolicyQueries.SandboxConvention();

        var answers = queries.Select(q => (Query: q, Answer: world.Query(q))).ToList();

        Assert.True(queries.Count >= 5);
        Assert.All(answers, a => Assert.True(a.Answer.Status == 200 && a.Answer.Result.Count == 1, $"{a.Query}: {a.Answer.Body.ToJsonString()}"));
    }
}
