using System.Net;
using System.Net.Sockets;
using ScaleControl.Server.Api;
using ScaleControl.Server.Tests.Infrastructure;
using ScaleControl.Testing.Timing;
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
        Assert.True(await Patience.UntilAsync(() => Held() == ReadLimits.ConcurrentDashboards, 10), "timed out waiting for both reads to reach the leader");
        // Nine more for the eight places in the queue: one of them, whichever comes last, is refused at once.
        // From other callers, two each (a caller's own share is two building), so that only the server's queue refuses.
        var others = new[] { AdminToken, ShopOperatorToken, ZhangsanToken, LisiToken, WangwuToken }.Select(_server.ClientWith).ToList();
        var waiting = others.SelectMany(other => new[] { other, other }).Take(ReadLimits.QueuedDashboards + 1)
            .Select(other => other.GetAsync("/api/v1/dashboard", giveUp.Token)).ToList();
        var first = await Task.WhenAny(waiting).WaitAsync(Patience.Of(10));
        waiting.Remove(first);
        using var refused = await first;

        Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
        Assert.Equal(TimeSpan.FromSeconds(ReadLimits.RetryAfterSeconds), refused.Headers.RetryAfter?.Delta);
        Assert.Contains("at most 2 dashboard reads run at once and 8 wait on this server, 2 and 6 per caller", (await refused.ReadJson()).GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.All(building.Concat(waiting), read => Assert.False(read.IsCompleted));
        Assert.Equal(ReadLimits.ConcurrentDashboards, Held()); // the waiting ones were not started

        // The leader goes away: the two answer from this replica's memory, then the eight in turn.
        StopLeader();
        foreach (var read in building.Concat(waiting))
        {
            using var response = await read;
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        others.ForEach(other => other.Dispose());
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
}
