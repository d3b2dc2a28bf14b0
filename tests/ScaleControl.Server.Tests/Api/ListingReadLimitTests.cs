using System.Net;
using ScaleControl.Server.Api;
using ScaleControl.Server.Tests.Infrastructure;
using ScaleControl.Testing.Timing;
using static ScaleControl.Server.Tests.Infrastructure.ServerFactory;

namespace ScaleControl.Server.Tests.Api;

/// <summary>
/// <c>/status</c> and <c>/history</c> polled in a loop by a viewer ran without bound, each competing with the control
/// loop for CPU. Each runs four at once with eight waiting, served in order; one more is refused with 429 and
/// Retry-After. A caller has two of the four and two waiting of its own, so one script in a loop does not refuse the
/// on-call person. Over real HTTP (Kestrel); the reads are held where they list the proposals, as behind a slow API server.
/// </summary>
public sealed class ListingReadLimitTests : IAsyncLifetime
{
    private readonly ServerFactory _server = new();

    public Task InitializeAsync()
    {
        _server.Settings["urls"] = "http://127.0.0.1:0";
        _server.Settings["ScaleControl:Auth:Tokens:6:Token"] = SeventhToken;
        _server.Settings["ScaleControl:Auth:Tokens:6:User"] = "reader";
        _server.Settings["ScaleControl:Auth:Tokens:6:Role"] = "viewer";
        _server.UseKestrel();
        _server.StartServer();
        return Task.CompletedTask;
    }

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Theory]
    [InlineData("/api/v1/status", "status reads")]
    [InlineData("/api/v1/history", "history reads")]
    public async Task FourRunning_EightWaitAndAreServed_TheNextIsRefusedWith429(string route, string what)
    {
        // Seven callers, two reads each at most, so that no caller's own share is what refuses.
        var callers = new[] { ViewerToken, AdminToken, ShopOperatorToken, ZhangsanToken, LisiToken, WangwuToken, SeventhToken }
            .Select(token => _server.ClientWith(token)).ToList();
        using var giveUp = new CancellationTokenSource(Patience.Of(30)); // a hang fails the test instead of stalling the run
        var hold = _server.Proposals.HoldListing();
        var running = callers.Take(2).SelectMany(client => Two(client, route, giveUp.Token)).ToList();
        Assert.True(await Patience.UntilAsync(() => _server.Proposals.HeldListings == ReadLimits.ConcurrentListings, 10), "timed out waiting for the reads to list the proposals");
        // Nine more for the eight places in the queue: one of them, whichever comes last, is refused at once.
        var waiting = callers.Skip(2).SelectMany(client => new[] { client, client }).Take(ReadLimits.QueuedListings + 1)
            .Select(client => client.GetAsync(route, giveUp.Token)).ToList();
        var first = await Task.WhenAny(waiting).WaitAsync(Patience.Of(10));
        waiting.Remove(first);
        using var refused = await first;

        Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
        Assert.Equal("application/problem+json", refused.Content.Headers.ContentType?.MediaType);
        Assert.Equal(TimeSpan.FromSeconds(ReadLimits.RetryAfterSeconds), refused.Headers.RetryAfter?.Delta);
        Assert.Contains($"at most 4 {what} run at once and 8 wait on this server, 2 and 2 per caller", (await refused.ReadJson()).GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.All(running.Concat(waiting), read => Assert.False(read.IsCompleted));
        Assert.Equal(ReadLimits.ConcurrentListings, _server.Proposals.HeldListings); // the waiting ones were not started

        hold.Dispose();
        await AllOkAsync(running.Concat(waiting));
        callers.ForEach(client => client.Dispose());
    }

    [Theory]
    [InlineData("/api/v1/status")]
    [InlineData("/api/v1/history")]
    public async Task OneCallerInALoop_IsRefusedPastItsShare_AnotherCallerIsServed(string route)
    {
        using var script = _server.ClientWith(ViewerToken);
        using var onCall = _server.ClientWith(ZhangsanToken);
        using var giveUp = new CancellationTokenSource(Patience.Of(30));
        var hold = _server.Proposals.HoldListing();
        var running = Two(script, route, giveUp.Token).ToList();
        Assert.True(await Patience.UntilAsync(() => _server.Proposals.HeldListings == ReadLimits.PerCallerListings, 10), "timed out waiting for the script's reads to list the proposals");
        // Three more for its two places in its own queue: one is refused at once.
        var waiting = Enumerable.Range(0, ReadLimits.PerCallerQueuedListings + 1).Select(_ => script.GetAsync(route, giveUp.Token)).ToList();
        var first = await Task.WhenAny(waiting).WaitAsync(Patience.Of(10));
        waiting.Remove(first);
        using var refused = await first;
        // The on-call person's read runs beside the script's two, though the script has more waiting.
        var served = onCall.GetAsync(route, giveUp.Token);

        Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
        Assert.True(await Patience.UntilAsync(() => _server.Proposals.HeldListings == ReadLimits.PerCallerListings + 1, 10), "the other caller's read did not start");
        hold.Dispose();
        await AllOkAsync([.. running, .. waiting, served]);
    }

    private const string SeventhToken = "t-reader-0007";

    private static IEnumerable<Task<HttpResponseMessage>> Two(HttpClient client, string route, CancellationToken cancellationToken) =>
        [client.GetAsync(route, cancellationToken), client.GetAsync(route, cancellationToken)];

    private static async Task AllOkAsync(IEnumerable<Task<HttpResponseMessage>> reads)
    {
        foreach (var read in reads)
        {
            using var response = await read;
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }
    }
}
