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
}
