using System.Net;
using ScaleControl.Net;

namespace ScaleControl.Testing.Net;

/// <summary>A free loopback port for a process that must be told its port before it listens (<see cref="FreeLoopbackPort"/>).</summary>
public static class FreePort
{
    public static int Pick() => FreeLoopbackPort.Pick(IPAddress.Loopback)
        ?? throw new InvalidOperationException($"no free loopback port in {FreeLoopbackPort.Lowest}–{FreeLoopbackPort.AboveHighest - 1} after 100 tries");
}
