using System.Net;
using System.Net.Sockets;

namespace ScaleControl.Net;

/// <summary>
/// A free port for a listener that must know its port before it binds (the sandbox's port-0 start, and the tests'
/// Prometheus and callback URLs); compiled into the server and the test harnesses. Picked below Linux's ephemeral
/// range (32768–60999), not by binding port 0: a port-0 pick comes from that range, where every outgoing connection on
/// the machine takes its local port, and one did take such a port in the seconds before the server bound it
/// ("address already in use" in CI).
/// </summary>
internal static class FreeLoopbackPort
{
    public const int Lowest = 20_000;
    public const int AboveHighest = 32_768;

    /// <summary>A free port on <paramref name="address"/>, or null when 100 random tries in the range found none.</summary>
    public static int? Pick(IPAddress address)
    {
        for (var attempt = 0; attempt < 100; attempt++)
        {
            var port = Random.Shared.Next(Lowest, AboveHighest);
            if (IsFree(address, port))
            {
                return port;
            }
        }

        return null;
    }

    /// <summary>Whether a listener could bind <paramref name="port"/> on <paramref name="address"/> now.</summary>
    public static bool IsFree(IPAddress address, int port)
    {
        try
        {
            using var probe = new TcpListener(address, port);
            probe.Start();
            probe.Stop();
            return true;
        }
        catch (SocketException e) when (e.SocketErrorCode == SocketError.AddressAlreadyInUse)
        {
            return false;
        }
    }
}
