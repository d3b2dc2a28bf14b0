using System.Net;
using ScaleControl.Server.Api;
using ScaleControl.Server.Tests.Infrastructure;
using ScaleControl.Testing.Timing;
using static ScaleControl.Server.Tests.Infrastructure.ServerFactory;

namespace ScaleControl.Server.Tests.Api;

/// <summary>
/// <c>/status</c> and <c>/history</c> polled in a loop by a viewer ran without bound, each competing with the control
/// loop for CPU. Each runs four at once with eight waiting, served in order; one more is refused with 429 and
/// Retry-After. Over real HTTP (Kestrel); the reads are held where they list the proposals, as behind a slow API server.
/// </summary>
public sealed class ListingReadLimitTests : IAsyncLifetime
{
    private readonly ServerFactory _server = new();

    public Task InitializeAsync()
    {
        _server.Settings["urls"] = "http://127.0.0.1:0";
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
        using var client = _server.ClientWith(ViewerToken);
        using var giveUp = new CancellationTokenSource(Patience.Of(30)); // a hang fails the test instead of stalling the run
        var hold = _server.Proposals.HoldListing();
        var running = Enumerable.Range(0, ReadLimits.ConcurrentListings).Select(_ => client.GetAsync(route, giveUp.Token)).ToList();
        Assert.True(await Patience.UntilAsync(() => _server.Proposals.HeldListings == ReadLimits.ConcurrentListings, 10), "timed out waiting for the reads to list the proposals");
        // Nine more for the eight places in the queue: one of them, whichever comes last, is refused at once.
        var waiting = Enumerable.Range(0, ReadLimits.QueuedListings + 1).Select(_ => client.GetAsync(route, giveUp.Token)).ToList();
        var first = await Task.WhenAny(waiting).WaitAsync(Patience.Of(10));
        waiting.Remove(first);
        using var refused = await first;

        Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
        Assert.Equal("application/problem+json", refused.Content.Headers.ContentType?.MediaType);
        Assert.Equal(TimeSpan.FromSeconds(ReadLimits.RetryAfterSeconds), refused.Headers.RetryAfter?.Delta);
        Assert.Contains($"at most 4 {what} run at once and 8 wait", (await refused.ReadJson()).GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.All(running.Concat(waiting), read => Assert.False(read.IsCompleted));
        Assert.Equal(ReadLimits.ConcurrentListings, _server.Proposals.HeldListings); // the waiting ones were not started

        hold.Dispose();
        foreach (var read in running.Concat(waiting))
        {
            using var response = await read;
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }
    }
}
