using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using ScaleControl.Server.Api;
using ScaleControl.Server.Tests.Infrastructure;
using static ScaleControl.Server.Tests.Infrastructure.ServerFactory;

namespace ScaleControl.Server.Tests.Api;

/// <summary>
/// Many dashboards at once: with 1,000 policies each answer is 18 MB, and 20 at once doubled the process to 1 GB. Two are
/// built at once and eight wait their turn, served in order; one more is refused with 429. Here the two being built are
/// held by a leader that takes the forwarded reads and never answers (a follower forwards the dashboard to it).
/// </summary>
public sealed class DashboardReadLimitTests : IAsyncLifetime
{
    private readonly ServerFactory _server = new();
    private readonly TcpListener _silentLeader = new(IPAddress.Loopback, 0);
    private readonly List<TcpClient> _held = [];

    public Task InitializeAsync()
    {
        _silentLeader.Start();
        _ = Task.Run(async () =>
        {
            try
            {
                while (true)
                {
                    var connection = await _silentLeader.AcceptTcpClientAsync();
                    lock (_held)
                    {
                        _held.Add(connection);
                    }
                }
            }
            catch (Exception e) when (e is SocketException or ObjectDisposedException)
            {
                // StopLeader: the leader is gone.
            }
        });
        _server.Leadership = new FollowerLeadership("127.0.0.1");
        _server.Settings["ScaleControl:Peers:LeaderUrlTemplate"] = $"http://{{leader}}:{((IPEndPoint)_silentLeader.LocalEndpoint).Port}";
        _server.Settings["ScaleControl:Peers:ForwardTimeoutSeconds"] = "30";
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        StopLeader();
        await _server.DisposeAsync();
    }

    [Fact]
    public async Task TwoBuilding_EightWaitAndAreServed_TheNextIsRefusedWith429()
    {
        using var client = _server.ClientWith(ViewerToken);
        using var giveUp = new CancellationTokenSource(TimeSpan.FromSeconds(90)); // a hang fails the test instead of stalling the run
        var building = Enumerable.Range(0, ReadLimits.ConcurrentDashboards).Select(_ => client.GetAsync("/api/v1/dashboard", giveUp.Token)).ToList();
        await WaitForAsync(() => Task.FromResult(Held() == ReadLimits.ConcurrentDashboards), "both reads to reach the leader");
        var waiting = Enumerable.Range(0, ReadLimits.QueuedDashboards).Select(_ => client.GetAsync("/api/v1/dashboard", giveUp.Token)).ToList();

        // Once all eight wait, one more is refused at once (tried until then: one sent before them would wait instead).
        HttpResponseMessage? refused = null;
        await WaitForAsync(async () =>
        {
            using var attempt = CancellationTokenSource.CreateLinkedTokenSource(giveUp.Token);
            attempt.CancelAfter(TimeSpan.FromSeconds(2));
            try
            {
                refused = await client.GetAsync("/api/v1/dashboard", attempt.Token);
                return true;
            }
            catch (OperationCanceledException) when (!giveUp.IsCancellationRequested)
            {
                return false;
            }
        }, "a read beyond the queue to be refused");

        Assert.Equal(HttpStatusCode.TooManyRequests, refused!.StatusCode);
        Assert.Equal(TimeSpan.FromSeconds(ReadLimits.RetryAfterSeconds), refused.Headers.RetryAfter?.Delta);
        Assert.Contains("at most 2 dashboard reads run at once and 8 wait", (await refused.ReadJson()).GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.All(building.Concat(waiting), read => Assert.False(read.IsCompleted));
        Assert.Equal(ReadLimits.ConcurrentDashboards, Held()); // the waiting ones were not started

        // The leader goes away: the two answer from this replica's memory, then the eight in turn.
        StopLeader();
        foreach (var read in building.Concat(waiting))
        {
            using var response = await read;
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }
    }

    private int Held()
    {
        lock (_held)
        {
            return _held.Count;
        }
    }

    private void StopLeader()
    {
        _silentLeader.Stop();
        lock (_held)
        {
            _held.ForEach(c => c.Dispose());
        }
    }

    private static async Task WaitForAsync(Func<Task<bool>> condition, string what)
    {
        var watch = Stopwatch.StartNew();
        while (!await condition())
        {
            Assert.True(watch.Elapsed < TimeSpan.FromSeconds(30), $"timed out waiting for {what}");
            await Task.Delay(20);
        }
    }
}
