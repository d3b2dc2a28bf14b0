using ScaleControl.Server.Control.Loop;
using ScaleControl.Server.Tests.Infrastructure;

namespace ScaleControl.Server.Tests.Control;

/// <summary>
/// A policy whose evaluation fails every tick (its workload's cache refused by RBAC, the API down) is logged once per
/// cause and once when it works again, not every 5 s, and the policy's status says why; the fault notice carries
/// the ongoing state.
/// </summary>
public sealed class EvaluationFailureLogTests : IDisposable
{
    private const string Failed = "Evaluating video/video-transcoder failed";

    private readonly ServerFactory _server = new();

    public void Dispose() => _server.Dispose();

    [Fact]
    public async Task Tick_SameFailureEveryTick_IsLoggedOncePerCause_InTheStatus_AndOnceWhenItWorksAgain()
    {
        _server.Workloads.Add("video", "video-transcoder", 3);
        await _server.Policies.UpsertAsync(TestPolicies.Auto(), default);
        _server.Metrics.Set(TestPolicies.Query("video-transcoder"), 300);

        _server.Workloads.ApiDown = "connection refused (10.96.0.1:443)";
        for (var i = 0; i < 4; i++)
        {
            await Tick();
        }

        Assert.Single(_server.Logs.Lines, l => l.Contains(Failed, StringComparison.Ordinal));

        _server.Workloads.ApiDown = "cannot read statefulsets: 403 Forbidden";
        await Tick();
        await Tick();
        Assert.Equal(2, _server.Logs.Lines.Count(l => l.Contains(Failed, StringComparison.Ordinal)));
        // The policy's status says it too (kubectl get scalepolicy), as the latest cause.
        var failing = Assert.Single((await _server.Policies.GetAsync("video", "video-transcoder", default))!.Status!.Conditions);
        Assert.Equal(("EvaluationFailed", "Error", "evaluation failed: cannot read statefulsets: 403 Forbidden"), (failing.Type, failing.Reason, failing.Message));

        _server.Workloads.ApiDown = null;
        await Tick();
        await Tick();
        Assert.Single(_server.Logs.Lines, l => l.Contains("Evaluating video/video-transcoder works again", StringComparison.Ordinal));
        Assert.Equal(2, _server.Logs.Lines.Count(l => l.Contains(Failed, StringComparison.Ordinal)));
        Assert.Empty((await _server.Policies.GetAsync("video", "video-transcoder", default))!.Status!.Conditions);
    }

    private Task Tick()
    {
        _server.Time.Advance(TimeSpan.FromSeconds(5));
        return _server.Service<Reconciler>().TickAsync(default);
    }
}
