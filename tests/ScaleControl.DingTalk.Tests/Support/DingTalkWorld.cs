using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using ScaleControl.Core.Ports;
using ScaleControl.DingTalk.Api;
using ScaleControl.DingTalk.Callbacks;
using ScaleControl.Sandbox.DingTalk;
using ScaleControl.Testing.DingTalk;

namespace ScaleControl.DingTalk.Tests.Support;

/// <summary>
/// The DingTalk emulator and a ScaleControl-side host with the DingTalk client, each a real Kestrel server on
/// 127.0.0.1, talking over real HTTP and WebSockets. The client's taps land in a <see cref="FakeApprovalInbox"/>.
/// </summary>
internal sealed class DingTalkWorld : IAsyncDisposable
{
    public const string AppKey = "dingsandboxappkey001";
    public const string AppSecret = "sandbox-app-secret-0123456789abcdef";
    public const string Group = "cidSandboxOnCall0001==";
    public const string TemplateId = "scalecontrol-approval.schema";
    public const string CallbackSecret = "callback-secret-for-tests";

    private DingTalkWorld(DingTalkEmulator emulator, WebApplication client, FakeApprovalInbox inbox, RequestCounter counter, FakeCommandInbox commands)
    {
        Commands = commands;
        Emulator = emulator;
        Client = client;
        Inbox = inbox;
        Requests = counter;
    }

    public DingTalkEmulator Emulator { get; }
    public WebApplication Client { get; }
    public FakeApprovalInbox Inbox { get; }

    /// <summary>The chat commands the client parsed from people's messages to the robot.</summary>
    public FakeCommandInbox Commands { get; }

    /// <summary>Every attempt the client's API HttpClient made (after retries), by path.</summary>
    public RequestCounter Requests { get; }

    /// <summary>The emulator's script API (cards, tap, faults, stream control).</summary>
    public HttpClient Script => Emulator.Script;

    public string EmulatorUrl => Emulator.Url.ToString().TrimEnd('/');
    public string ClientUrl => Client.Urls.First();

    public T ClientService<T>() where T : notnull => Client.Services.GetRequiredService<T>();

    public T EmulatorService<T>() where T : notnull => Emulator.Service<T>();

    public static async Task<DingTalkWorld> StartAsync(
        Action<DingTalkSandboxOptions>? emulator = null,
        Dictionary<string, string?>? clientSettings = null,
        TimeProvider? emulatorTime = null,
        TimeProvider? clientTime = null,
        bool httpCallbacks = false,
        Action<IServiceCollection>? clientServices = null)
    {
        var emulatorOptions = DingTalkSandboxOptions.CreateDefault();
        // DingTalk waits 2 s for a tap's answer; the client here answers in milliseconds when idle, but a starved CI
        // runner can stall it longer. These tests are about what the answer says, not its latency (CardCallbackHandler's
        // reply budget is tested on its own), so the emulator waits generously unless a test says otherwise.
        emulatorOptions.CallbackTimeout = TimeSpan.FromSeconds(20);
        emulator?.Invoke(emulatorOptions);
        var emulatorHost = await DingTalkEmulator.StartAsync(emulatorOptions, emulatorTime);

        var clientTimeProvider = clientTime ?? TimeProvider.System;
        var inbox = new FakeApprovalInbox(clientTimeProvider);
        var counter = new RequestCounter();
        var port = httpCallbacks ? FreePort() : 0;
        var clientUrl = $"http://127.0.0.1:{port}";
        var settings = new Dictionary<string, string?>
        {
            ["ScaleControl:DingTalk:ApiBaseUrl"] = emulatorHost.BaseUrl.ToString().TrimEnd('/'),
            ["ScaleControl:DingTalk:OapiBaseUrl"] = emulatorHost.BaseUrl.ToString().TrimEnd('/'),
            ["ScaleControl:DingTalk:AppKey"] = AppKey,
            ["ScaleControl:DingTalk:AppSecret"] = AppSecret,
            ["ScaleControl:DingTalk:CardTemplateId"] = TemplateId,
            ["ScaleControl:DingTalk:DetailsBaseUrl"] = "https://scalecontrol.example/",
            ["ScaleControl:DingTalk:RetryBaseDelay"] = "00:00:00.020",
        };
        if (httpCallbacks)
        {
            settings["ScaleControl:DingTalk:CallbackMode"] = "Http";
            settings["ScaleControl:DingTalk:CallbackRouteKey"] = "scalecontrol-tests";
            settings["ScaleControl:DingTalk:CallbackApiSecret"] = CallbackSecret;
            settings["ScaleControl:DingTalk:CallbackPublicUrl"] = clientUrl + CardCallbackEndpoint.DefaultPattern;
        }

        foreach (var (key, value) in clientSettings ?? [])
        {
            settings[key] = value;
        }

        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls(clientUrl);
        builder.Logging.ClearProviders();
        builder.Configuration.AddInMemoryCollection(settings);
        builder.Services.AddSingleton(clientTimeProvider);
        builder.Services.AddSingleton<IApprovalInbox>(inbox);
        builder.Services.AddSingleton<IUndoInbox>(inbox);
        builder.Services.AddSingleton<IProposalStore>(inbox);
        var commands = new FakeCommandInbox();
        builder.Services.AddSingleton<ScaleControl.Core.Commands.ICommandInbox>(commands);
        clientServices?.Invoke(builder.Services); // before the adapter: what a test registers replaces its defaults
        builder.Services.AddScaleControlDingTalk(builder.Configuration);
        builder.Services.AddHttpClient(DingTalkHttpClients.Api).AddHttpMessageHandler(() => counter.NewHandler());
        var client = builder.Build();

        // As the server does: a recorded decision is shown on the card once, through the notifier (not in the tap's reply).
        var notifier = client.Services.GetRequiredService<IApprovalNotifier>();
        inbox.OnAccepted = proposal => notifier.UpdateProposalAsync(proposal, CancellationToken.None);
        client.MapDingTalkCardCallback();
        await client.StartAsync();
        return new DingTalkWorld(emulatorHost, client, inbox, counter, commands);
    }

    /// <summary>The HTTP callback URL must be known before the host starts (it is registered at start).</summary>
    private static int FreePort() => ScaleControl.Testing.Net.FreePort.Pick();

    public async Task<JsonElement> CardAsync(string outTrackId, string? userId = null)
    {
        var url = $"cards/{Uri.EscapeDataString(outTrackId)}" + (userId is null ? "" : $"?userId={userId}");
        return await Script.GetFromJsonAsync<JsonElement>(url);
    }

    /// <summary>Taps a button as DingTalk would (the emulator sends the callback and applies the answer).</summary>
    public async Task<(HttpStatusCode Status, JsonElement Body)> TapAsync(string outTrackId, string userId, string actionId)
    {
        using var response = await Script.PostAsJsonAsync($"cards/{Uri.EscapeDataString(outTrackId)}/tap", new { userId, actionIds = new[] { actionId } });
        return (response.StatusCode, await response.Content.ReadFromJsonAsync<JsonElement>());
    }

    public async Task ArmFaultAsync(object rule) =>
        (await Script.PostAsJsonAsync("faults", rule)).EnsureSuccessStatusCode();

    public async Task ClearFaultsAsync() =>
        (await Script.DeleteAsync("faults")).EnsureSuccessStatusCode();

    public async Task<JsonElement[]> StreamConnectionsAsync() =>
        (await Script.GetFromJsonAsync<JsonElement[]>("stream/connections"))!;

    /// <summary>Waits (real time, bounded) until the client holds <paramref name="count"/> open Stream connections.</summary>
    public async Task<JsonElement[]> WaitForStreamConnectionsAsync(int count = 1, Func<JsonElement, bool>? where = null)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30); // generous: the client (re)connects in well under a second when idle
        while (true)
        {
            var open = (await StreamConnectionsAsync())
                .Where(c => c.GetProperty("isOpen").GetBoolean() && !c.GetProperty("disconnecting").GetBoolean())
                .Where(where ?? (_ => true))
                .ToArray();
            if (open.Length >= count)
            {
                return open;
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"expected {count} open Stream connection(s), have {open.Length}");
            }

            await Task.Delay(20);
        }
    }

    /// <summary>
    /// Polls (real time, bounded) for a condition that the other side of a socket or a background task makes true a
    /// moment later. The bound is generous: it costs time only when the condition never comes.
    /// </summary>
    public static async Task<bool> EventuallyAsync(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (!condition() && DateTime.UtcNow < deadline)
        {
            await Task.Delay(10);
        }

        return condition();
    }

    public async ValueTask DisposeAsync()
    {
        await Client.StopAsync();
        await Client.DisposeAsync();
        await Emulator.DisposeAsync();
    }
}
