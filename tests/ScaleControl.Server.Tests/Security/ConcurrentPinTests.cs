using System.Net;
using ScaleControl.Core.Proposals;
using ScaleControl.Server.Control.Overrides;
using ScaleControl.Server.Tests.Infrastructure;
using static ScaleControl.Server.Tests.Infrastructure.ServerFactory;

namespace ScaleControl.Server.Tests.Security;

/// <summary>
/// Pins at the same moment, over real HTTP. Found by sending ten pins at once to the sandbox: five answered 500 (the
/// spec write kept conflicting and the exception escaped) and the workload ended at 11 under a spec pinned at 5 — each
/// pin wrote the spec, then scaled, and the two orders interleaved.
/// </summary>
public sealed class ConcurrentPinTests : IDisposable
{
    private const string PinUrl = "/api/v1/workloads/video/video-transcoder/pin";
    private readonly ServerFactory _server = new();

    public void Dispose() => _server.Dispose();

    [Fact]
    public async Task SecondPinLandsWhileTheFirstScales_TheWorkloadRunsThePinTheSpecHolds()
    {
        _server.Workloads.Add("video", "video-transcoder", 6);
        await _server.Policies.UpsertAsync(TestPolicies.Auto(), default);
        using var client = _server.ClientWith(ZhangsanToken);
        HttpStatusCode? second = null;
        _server.Workloads.BeforeScale = async _ =>
        {
            if (second is null)
            {
                second = HttpStatusCode.Processing;
                using var response = await client.PostJson(PinUrl, new { replicas = 12, durationSeconds = 600, reason = "second" });
                second = response.StatusCode;
            }
        };

        using var first = await client.PostJson(PinUrl, new { replicas = 8, durationSeconds = 600, reason = "first" });

        Assert.Equal((HttpStatusCode.OK, HttpStatusCode.OK), (first.StatusCode, second));
        Assert.Equal(12, (await _server.Policies.GetAsync("video", "video-transcoder", default))!.Spec.Pin!.Replicas);
        Assert.Equal(12, _server.Workloads.Replicas("video", "video-transcoder"));
        var superseded = Assert.Single(await _server.Proposals.ListAsync("video", default), p => p.Spec.ToReplicas == 8);
        Assert.Equal(ProposalPhase.Failed, superseded.Status.Phase);
        Assert.Contains("superseded: the policy is pinned at 12 by zhangsan", superseded.Status.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Pin_PolicyKeepsChangingUnderTheWrite_409ProblemDetails_NothingChanged()
    {
        _server.Workloads.Add("video", "video-transcoder", 6);
        await _server.Policies.UpsertAsync(TestPolicies.Auto(), default);
        _server.Policies.ConflictsToInject = PolicySpecEditor.Attempts;
        using var client = _server.ClientWith(ZhangsanToken);

        using var response = await client.PostJson(PinUrl, new { replicas = 8, durationSeconds = 600, reason = "busy" });
        var text = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.Conflict, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains("changed 5 times while this change was written; nothing was changed", text, StringComparison.Ordinal);
        Assert.Null((await _server.Policies.GetAsync("video", "video-transcoder", default))!.Spec.Pin);
        Assert.Equal(6, _server.Workloads.Replicas("video", "video-transcoder"));
        Assert.Empty(await _server.Proposals.ListAsync("video", default));
    }
}
