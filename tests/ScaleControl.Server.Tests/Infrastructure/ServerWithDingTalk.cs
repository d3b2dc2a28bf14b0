using System.Text.Json;
using ScaleControl.Server.Control.Loop;
using ScaleControl.Testing.DingTalk;

namespace ScaleControl.Server.Tests.Infrastructure;

/// <summary>
/// A test server whose cards go to the DingTalk emulator over real HTTP through the real adapter (taps come back over
/// Stream), the emulator on the server's fake clock and its on-call group <c>cidOnCall==</c>.
/// </summary>
public abstract class ServerWithDingTalk : IAsyncLifetime
{
    protected ServerFactory Server { get; } = new();

    protected DingTalkEmulator Emulator { get; private set; } = null!;

    public virtual async Task InitializeAsync()
    {
        Emulator = await DingTalkEmulator.StartAsync(Server.Time, "cidOnCall==");
        Server.DingTalk = Emulator;
    }

    public async Task DisposeAsync()
    {
        Server.Dispose();
        await Emulator.DisposeAsync();
    }

    /// <summary>Advances the shared clock by <paramref name="seconds"/>, then runs one control-loop tick.</summary>
    protected Task Tick(int seconds = 0)
    {
        Server.Time.Advance(TimeSpan.FromSeconds(seconds));
        return Server.Service<Reconciler>().TickAsync(default);
    }

    /// <summary>The private line a tap's answer shows only the tapper.</summary>
    protected static string PrivateLine(JsonElement tap) =>
        tap.GetProperty("card").GetProperty("userPrivateData").GetProperty("privateMessage").GetString()!;
}
