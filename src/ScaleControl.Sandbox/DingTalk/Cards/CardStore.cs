using System.Collections.Concurrent;

namespace ScaleControl.Sandbox.DingTalk.Cards;

/// <summary>Card instances by (app, outTrackId): <c>outTrackId</c> is unique per app.</summary>
public sealed class CardStore
{
    private readonly ConcurrentDictionary<(string App, string OutTrackId), CardInstance> _cards = new();

    public bool TryAdd(CardInstance card) => _cards.TryAdd((card.AppKey, card.OutTrackId), card);

    public CardInstance? Find(string appKey, string outTrackId) => _cards.GetValueOrDefault((appKey, outTrackId));

    /// <summary>For the script API, which names a card by outTrackId alone.</summary>
    public CardInstance? Find(string outTrackId) => _cards.Values.FirstOrDefault(c => c.OutTrackId == outTrackId);

    public IReadOnlyList<CardInstance> All => [.. _cards.Values.OrderBy(c => c.CreatedAt).ThenBy(c => c.OutTrackId, StringComparer.Ordinal)];
}
