using System.Net;
using ScaleControl.Core.Ports;
using ScaleControl.Kubernetes.Client;
using ScaleControl.Kubernetes.Leadership;

namespace ScaleControl.Kubernetes.Tests.Client;

public sealed class LeaderFenceTests
{
    private sealed class Leadership : ILeadership
    {
        public bool IsLeader { get; set; } = true;
        public string Identity => "replica-a";
        public string? CurrentLeader => IsLeader ? Identity : "replica-b";
        public long Term { get; set; } = 1;
    }

    private sealed class Answering : HttpMessageHandler
    {
        public int Sent { get; private set; }

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            Sent++;
            return Task.FromResult(new HttpResponseMessage(HttpStatusCode.OK));
        }
    }

    [Fact]
    public void InsideATick_WhileLeading_WritesPass()
    {
        var fence = new LeaderFence(new Leadership());
        using (fence.EnterTick())
        {
            fence.ThrowIfLost("PUT x");
        }
    }

    [Fact]
    public void InsideATick_LeaseLost_WriteRefused()
    {
        var leadership = new Leadership();
        var fence = new LeaderFence(leadership);
        using var tick = fence.EnterTick();
        leadership.IsLeader = false;
        var refused = Assert.Throws<LeadershipLostException>(() => fence.ThrowIfLost("PUT /apis/apps/v1/x/scale"));
        Assert.Contains("PUT /apis/apps/v1/x/scale", refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void InsideATick_LeaseLostAndWonAgain_OldTickStillRefused()
    {
        var leadership = new Leadership();
        var fence = new LeaderFence(leadership);
        using var tick = fence.EnterTick();
        leadership.Term = 2; // lost and won back while the tick was stopped: a new term decides afresh
        Assert.Throws<LeadershipLostException>(() => fence.ThrowIfLost("POST x"));
    }

    [Fact]
    public void OutsideATick_NotLeading_WritesPass()
    {
        // Taps and API calls are any replica's to write.
        var fence = new LeaderFence(new Leadership { IsLeader = false });
        fence.ThrowIfLost("PUT x");
    }

    [Fact]
    public async Task WorkTheTickStartedWithoutAwaiting_IsFencedToo()
    {
        var leadership = new Leadership();
        var fence = new LeaderFence(leadership);
        var gate = new TaskCompletionSource();
        Task background;
        using (fence.EnterTick())
        {
            background = Task.Run(async () =>
            {
                await gate.Task;
                fence.ThrowIfLost("DELETE x");
            });
        }

        leadership.IsLeader = false;
        gate.SetResult();
        await Assert.ThrowsAsync<LeadershipLostException>(() => background);
    }

    [Fact]
    public async Task Handler_RefusesATicksWritesAfterTheLeaseIsLost_NotItsReads()
    {
        var leadership = new Leadership();
        var answering = new Answering();
        using var client = new HttpClient(new LeaderFencingHandler(new LeaderFence(leadership)) { InnerHandler = answering });
        var fence = new LeaderFence(leadership);
        using var tick = fence.EnterTick();
        leadership.IsLeader = false;

        using var read = await client.GetAsync(new Uri("http://127.0.0.1/apis/apps/v1/deployments"));
        await Assert.ThrowsAsync<LeadershipLostException>(() => client.PutAsync(new Uri("http://127.0.0.1/apis/apps/v1/namespaces/shop/deployments/a/scale"), new StringContent("{}")));
        Assert.Equal(1, answering.Sent);
    }

    [Theory]
    [InlineData("replica-a", "scalecontrol/replica-a")]
    [InlineData("pod/with spaces", "scalecontrol/pod-with-spaces")]
    [InlineData("", "scalecontrol")]
    public void UserAgent_NamesTheReplica(string identity, string expected) =>
        Assert.Equal(expected, KubernetesClientFactory.UserAgent(identity));
}
