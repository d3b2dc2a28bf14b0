using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using ScaleControl.Sandbox.DingTalk;

namespace ScaleControl.Testing.DingTalk;

/// <summary>
/// The DingTalk emulator on its own Kestrel server at 127.0.0.1:0, the one host every test project starts it with
/// (the product's tests, the emulator's own raw-protocol tests, the adapter's tests). It is mounted as the server
/// mounts it in sandbox mode: <c>MapSandboxDingTalk</c> without <c>UseWebSockets()</c>, so the Stream gateway's own
/// handshake is the one under test. The script API taps as a phone would (only a button the card shows can be tapped)
/// and reads the card as a member sees it.
/// </summary>
public sealed class DingTalkEmulator : IAsyncDisposable
{
    private readonly WebApplication _app;

    private DingTalkEmulator(WebApplication app, Uri url, string prefix, DingTalkSandboxOptions options)
    {
        _app = app;
        Url = url;
        BaseUrl = new Uri(url, prefix.Trim('/') + "/");
        Options = options;
        Script = new HttpClient { BaseAddress = BaseUrl };
    }

    /// <summary>The server's root address ("http://127.0.0.1:port/").</summary>
    public Uri Url { get; }

    /// <summary>Where the emulator is mounted (the DingTalk API and the script API), with a trailing slash.</summary>
    public Uri BaseUrl { get; }

    public DingTalkSandboxOptions Options { get; }
    public SandboxApp App => Options.Apps[0];

    /// <summary>Plain HTTP at <see cref="BaseUrl"/>: the script API and raw DingTalk calls.</summary>
    public HttpClient Script { get; }

    /// <summary>
    /// Starts the sandbox world's emulator for a product host in the test process, on the caller's clock;
    /// <paramref name="groups"/> are extra group conversation ids holding its members and robot (the product's tests
    /// name their own on-call group).
    /// </summary>
    public static Task<DingTalkEmulator> StartAsync(TimeProvider time, params string[] groups)
    {
        var options = DingTalkSandboxOptions.CreateDefault();
        // A tap's answer is awaited on the shared clock; the wall-clock bound only matters on a starved machine.
        options.CallbackTimeout = TimeSpan.FromSeconds(20);
        var sandboxGroup = options.Groups[0];
        options.Groups.AddRange(groups.Select(id => sandboxGroup with { OpenConversationId = id }));
        return StartAsync(options, time);
    }

    /// <summary>Starts the emulator with <paramref name="options"/>, on <paramref name="time"/> (the system clock when null), under <paramref name="prefix"/>.</summary>
    public static async Task<DingTalkEmulator> StartAsync(DingTalkSandboxOptions options, TimeProvider? time = null, string prefix = SandboxDingTalkExtensions.DefaultPrefix)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        if (time is not null)
        {
            builder.Services.AddSingleton(time);
        }

        builder.Services.AddSandboxDingTalk(options);
        var app = builder.Build();
        app.MapSandboxDingTalk(prefix);
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new DingTalkEmulator(app, new Uri(address.TrimEnd('/') + "/"), prefix, options);
    }

    /// <summary>One of the emulator's services (its stores, its clock), for what the script API does not show.</summary>
    public T Service<T>() where T : notnull => _app.Services.GetRequiredService<T>();

    /// <summary>The card as <paramref name="userId"/> sees it (with their private line), or as the group sees it.</summary>
    public Task<JsonElement> CardAsync(string outTrackId, string? userId = null) =>
        Script.GetFromJsonAsync<JsonElement>($"cards/{Uri.EscapeDataString(outTrackId)}" + (userId is null ? "" : $"?userId={Uri.EscapeDataString(userId)}"));

    /// <summary>The ids of the buttons the card shows now.</summary>
    public async Task<IReadOnlyList<string>> ButtonsAsync(string outTrackId) =>
        [.. (await CardAsync(outTrackId)).GetProperty("buttons").EnumerateArray().Select(b => b.GetProperty("actionId").GetString()!)];

    /// <summary>Taps a button as DingTalk would: 409 when the card does not show it, else the callback's answer applied to the card.</summary>
    public async Task<(int Status, JsonElement Body)> TapAsync(string outTrackId, string userId, string actionId)
    {
        using var response = await Script.PostAsJsonAsync($"cards/{Uri.EscapeDataString(outTrackId)}/tap", new { userId, actionIds = new[] { actionId } });
        return ((int)response.StatusCode, await response.Content.ReadFromJsonAsync<JsonElement>());
    }

    /// <summary>Waits (real time, bounded) until the product holds an open Stream connection: taps reach it only then.</summary>
    public async Task WaitForStreamAsync()
    {
        var deadline = DateTime.UtcNow.AddSeconds(30); // generous: a connection opens in well under a second when idle
        while (true)
        {
            var connections = await Script.GetFromJsonAsync<JsonElement[]>("stream/connections");
            if (connections!.Any(c => c.GetProperty("isOpen").GetBoolean() && !c.GetProperty("disconnecting").GetBoolean()))
            {
                return;
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException("the product opened no Stream connection to the emulator");
            }

            await Task.Delay(20);
        }
    }

    public async ValueTask DisposeAsync()
    {
        Script.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
