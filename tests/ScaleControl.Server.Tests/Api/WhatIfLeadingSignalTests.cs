using System.Net;
using ScaleControl.Core.Policies;
using ScaleControl.Core.Ports;
using ScaleControl.Core.Signals;
using ScaleControl.Server.Tests.Infrastructure;
using static ScaleControl.Server.Tests.Infrastructure.ServerFactory;

namespace ScaleControl.Server.Tests.Api;

/// <summary><c>whatif</c> on a policy with a leading signal reads the signal as the loop does.</summary>
public sealed class WhatIfLeadingSignalTests(ServerFactory server) : IClassFixture<ServerFactory>
{
    private const string SignalQuery = "sum(rate(push_sent_total[1m])";

    [Theory]
    [InlineData(MetricStatus.InvalidQuery, "bad_data: unclosed left parenthesis")]
    [InlineData(MetricStatus.MultipleSeries, "query returned 3 series; aggregate with sum()")]
    public async Task WhatIf_SignalQueryFails_ReplaysFromTheMetricsAndSaysWhyNoFloor(MetricStatus status, string problem)
    {
        // The loop decides from the metrics when only the signal cannot be read; the replay must not refuse the policy.
        var name = $"signal-{status.ToString().ToLowerInvariant()}";
        await server.Policies.UpsertAsync(WithSignal(name), default);
        server.Workloads.Add("video", name, 4);
        server.Metrics.SetHistory(TestPolicies.Query(name), _ => 400);
        server.Metrics.FailRange(SignalQuery, new MetricQueryException(status, problem));
        using var client = server.ClientWith(ViewerToken);

        using var response = await client.PostJson($"/api/v1/policies/video/{name}/whatif", new { fromSeconds = 300, stepSeconds = 15 });

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var steps = (await response.ReadJson()).GetProperty("steps").EnumerateArray().ToList();
        Assert.NotEmpty(steps);
        Assert.All(steps, s => Assert.Contains($"leading signal push not read ({status}: {problem}), no floor from it", s.GetProperty("reason").GetString(), StringComparison.Ordinal));
        Assert.All(steps, s => Assert.Equal(4, s.GetProperty("desiredReplicas").GetInt32()));
    }

    private static ScalePolicy WithSignal(string name) => TestPolicies.Auto("video", name) with
    {
        Spec = TestPolicies.Auto("video", name).Spec with
        {
            LeadingSignal = new LeadingSignalSpec { Name = "push", Query = SignalQuery, RequestsPerUnit = 0.1 },
        },
    };
}
