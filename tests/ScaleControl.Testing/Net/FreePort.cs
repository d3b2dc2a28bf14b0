using System.Net;
using System.Net.Sockets;

namespace ScaleControl.Testing.Net;

/// <summary>
/// A free loopback port for a process that must be told its port before it listens (Prometheus, a callback URL).
/// Picked below Linux's ephemeral range (32768–60999), not by binding port 0: a port-0 pick comes from that range,
/// where every outgoing connection of the tests running beside it takes its local port, and one did take such a
/// port in the seconds before the server bound it ("address already in use" in CI).
/// </summary>
public static class FreePort
{
    private const int Lowest = 20_000;
    private const int AboveHighest = 32_768;

    public static int Pick()
    {
        for (var attempt = 0; attempt < 100; attempt++)
        {
            var port = Random.Shared.Next(Lowest, AboveHighest);
            if (IsFree(port))
            {
                return port;
            }
        }

        throw new InvalidOperationException($"no free loopback port in {Lowest}–{AboveHighest - 1} after 100 tries");
    }

    private static bool IsFree(int port)
    {
        try
        {
            using var probe = new TcpListener(IPAddress.Loopback, port);
            probe.Start();
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }
}
