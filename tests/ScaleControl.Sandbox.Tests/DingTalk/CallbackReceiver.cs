using System.Collections.Concurrent;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace ScaleControl.Sandbox.Tests.DingTalk;

/// <summary>A tiny HTTP card-callback receiver on 127.0.0.1:0 that records requests and answers with a test-supplied function.</summary>
public sealed class CallbackReceiver : IAsyncDisposable
{
    private readonly WebApplication _app;

    private CallbackReceiver(WebApplication app, string url)
    {
        _app = app;
        Url = url;
    }

    public string Url { get; }
    public ConcurrentQueue<ReceivedCallback> Received { get; } = new();

    public static async Task<CallbackReceiver> StartAsync(Func<ReceivedCallback, Task<IResult>> answer)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        var app = builder.Build();
        CallbackReceiver? receiver = null;
        app.MapPost("/card-callback", async (HttpContext http) =>
        {
            using var reader = new StreamReader(http.Request.Body);
            var received = new ReceivedCallback(
                await reader.ReadToEndAsync(),
                http.Request.Headers["x-ddpaas-signature-timestamp"].ToString(),
                http.Request.Headers["x-ddpaas-signature"].ToString(),
                http.Request.ContentType);
            receiver!.Received.Enqueue(received);
            return await answer(received);
        });
        app.MapGet("/ready", () => Results.Ok());
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First().TrimEnd('/');
        // One request before the emulator's first callback: a cold server's first answer (its pipeline compiled on
        // first use) took longer than DingTalk's 2 s on a loaded CI runner, and the tap timed out.
        using (var warmUp = new HttpClient())
        {
            (await warmUp.GetAsync(address + "/ready")).EnsureSuccessStatusCode();
        }

        receiver = new CallbackReceiver(app, address + "/card-callback");
        return receiver;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}

public sealed record ReceivedCallback(string Body, string Timestamp, string Signature, string? ContentType);
