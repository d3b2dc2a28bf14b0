using System.Collections.Concurrent;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;

namespace ScaleControl.Cli.Tests.EndToEnd;

/// <summary>
/// An override whose answer never came (the connection broke after the server took it) is sent once more under the
/// same <c>Idempotency-Key</c>, which the server uses to carry it out and record it once. The real binary against a real
/// HTTP server that breaks the first connection, as a proxy or a restarting replica does.
/// </summary>
public sealed class OverrideRetryTests : IAsyncDisposable
{
    private const string FreezeRoute = "/api/v1/policies/shop/checkout-api/freeze";

    private readonly ConcurrentQueue<string?> _keys = new();
    private WebApplication? _app;

    public async ValueTask DisposeAsync()
    {
        if (_app is not null)
        {
            await _app.DisposeAsync();
        }
    }

    [Fact]
    public async Task Freeze_FirstConnectionBroken_SentAgainWithTheSameKey()
    {
        var cli = await StartAsync(context =>
        {
            if (_keys.Count == 1)
            {
                context.Abort(); // taken, but no answer
                return Task.CompletedTask;
            }

            return context.Response.WriteAsJsonAsync(new { metadata = new { name = "checkout-api", @namespace = "shop" } });
        });

        var result = await cli.RunAsync("freeze", "shop/checkout-api", "--for", "30m", "--reason", "db migration");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal("policy shop/checkout-api frozen for 30m", result.Output.Trim());
        var keys = _keys.ToArray();
        Assert.Equal(2, keys.Length);
        Assert.False(string.IsNullOrEmpty(keys[0]));
        Assert.Equal(keys[0], keys[1]);
    }

    [Fact]
    public async Task Freeze_Refused_NotSentAgain()
    {
        var cli = await StartAsync(context => Results.Problem(statusCode: 409, title: "Override refused", detail: "policy changed 5 times").ExecuteAsync(context));

        var result = await cli.RunAsync("freeze", "shop/checkout-api", "--for", "30m", "--reason", "db migration");

        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains("policy changed 5 times", result.Error, StringComparison.Ordinal);
        Assert.Single(_keys);
    }

    private async Task<Scalectl> StartAsync(Func<HttpContext, Task> answer)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        _app = builder.Build();
        _app.MapPost(FreezeRoute, context =>
        {
            _keys.Enqueue(context.Request.Headers["Idempotency-Key"].SingleOrDefault());
            return answer(context);
        });
        await _app.StartAsync();
        return new Scalectl(_app.Urls.Single(), "token");
    }
}
