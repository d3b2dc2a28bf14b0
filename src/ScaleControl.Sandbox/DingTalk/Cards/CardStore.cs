using System.Collections.Concurrent;
using ScaleControl.Sandbox.DingTalk.Platform;

namespace ScaleControl.Sandbox.DingTalk.Cards;

/// <summary>
/// Card instances by (app, outTrackId): <c>outTrackId</c> is unique per app. With a state file, the cards kept there
/// come back at start and every stored card is written through on each change.
/// </summary>
public sealed class CardStore
{
    private readonly ConcurrentDictionary<(string App, string OutTrackId), CardInstance> _cards = new();
    private readonly EmulatorStateFile _state;

    public CardStore(EmulatorStateFile state, SandboxDirectory directory)
    {
        _state = state;
        foreach (var card in state.Cards.Select(json => CardInstance.FromJson(json, directory)).OfType<CardInstance>())
        {
            card.Changed = Keep;
            _cards[(card.AppKey, card.OutTrackId)] = card;
        }
    }

    public bool TryAdd(CardInstance card)
    {
        if (!_cards.TryAdd((card.AppKey, card.OutTrackId), card))
        {
            return false;
        }

        lock (card.Sync)
        {
            card.Changed = Keep;
            Keep(card);
        }

        return true;
    }

    public CardInstance? Find(string appKey, string outTrackId) => _cards.GetValueOrDefault((appKey, outTrackId));

    /// <summary>For the script API, which names a card by outTrackId alone.</summary>
    public CardInstance? Find(string outTrackId) => _cards.Values.FirstOrDefault(c => c.OutTrackId == outTrackId);

    public IReadOnlyList<CardInstance> All => [.. _cards.Values.OrderBy(c => c.CreatedAt).ThenBy(c => c.OutTrackId, StringComparer.Ordinal)];

    private void Keep(CardInstance card)
    {
        if (_state.IsDurable)
        {
            _state.PutCard(card.AppKey, card.OutTrackId, card.ToJson());
        }
    }
}
