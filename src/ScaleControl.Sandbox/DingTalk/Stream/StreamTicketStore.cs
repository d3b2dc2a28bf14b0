using System.Collections.Concurrent;

namespace ScaleControl.Sandbox.DingTalk.Stream;

/// <summary>Tickets from <c>/v1.0/gateway/connections/open</c>: single use, valid for 90 s.</summary>
public sealed class StreamTicketStore(DingTalkSandboxOptions options, TimeProvider time)
{
    private readonly ConcurrentDictionary<string, StreamTicket> _tickets = new(StringComparer.Ordinal);

    public StreamTicket Issue(string appKey, IReadOnlyList<StreamSubscription> subscriptions, string? ua)
    {
        var ticket = new StreamTicket(Guid.NewGuid().ToString("D"), appKey, subscriptions, ua, time.GetUtcNow() + options.TicketLifetime);
        _tickets[ticket.Ticket] = ticket;
        return ticket;
    }

    /// <summary>Consumes the ticket; the reason it is refused otherwise.</summary>
    public (StreamTicket? Ticket, string? Refusal) Redeem(string? ticket)
    {
        if (string.IsNullOrEmpty(ticket))
        {
            return (null, "ticket is missing");
        }

        if (!_tickets.TryRemove(ticket, out var issued))
        {
            return (null, "ticket is unknown or already used");
        }

        return issued.ExpiresAt > time.GetUtcNow() ? (issued, null) : (null, "ticket expired");
    }
}

public sealed record StreamTicket(string Ticket, string AppKey, IReadOnlyList<StreamSubscription> Subscriptions, string? Ua, DateTimeOffset ExpiresAt);
