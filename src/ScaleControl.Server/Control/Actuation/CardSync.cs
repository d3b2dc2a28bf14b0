using ScaleControl.Core.Proposals;

namespace ScaleControl.Server.Control.Actuation;

/// <summary>
/// Shows a proposal on its card and records on the proposal what the card now shows (<see cref="CardState"/>), so a
/// card left behind (a crash between the two, DingTalk down) is found and brought up to date by the
/// <see cref="CardReconciler"/>. The proposal is the truth; the card is its view.
/// </summary>
public sealed class CardSync(ProposalWriter writer, Announcer announcer)
{
    /// <summary>One card update for <paramref name="stored"/> if its card is stale; returns the proposal with the shown state recorded.</summary>
    public async Task<ScaleProposal> ShowAsync(ScaleProposal stored, CancellationToken cancellationToken) =>
        CardState.IsStale(stored) && await announcer.UpdateCardAsync(stored, cancellationToken) is { } rendered
            ? await MarkShownAsync(stored, rendered, cancellationToken)
            : stored;

    /// <summary>One card update the loop asked for (an amendment, a row joining a group card), recorded like any other.</summary>
    public async Task ShowCardAsync(ScaleProposal row, CancellationToken cancellationToken)
    {
        if (await announcer.UpdateCardAsync(row, cancellationToken) is { } rendered)
        {
            await MarkShownAsync(row, rendered, cancellationToken);
        }
    }

    /// <summary>
    /// A card of several rows renders every row sharing it, so each other row records what the card now shows of it:
    /// as rendered, not as it is by now. A row rendered behind its truth (read from a cache that had not seen its
    /// latest write) then stays stale, and the <see cref="CardReconciler"/> shows it again.
    /// </summary>
    public async Task RecordOtherRowsAsync(IReadOnlyList<ScaleProposal> rendered, string except, CancellationToken cancellationToken)
    {
        foreach (var row in rendered.Where(r => r.Key != except && r.Status.Card is not null))
        {
            var state = CardState.Of(row);
            var card = row.Status.Card!.OutTrackId;
            await writer.UpdateAsync(await writer.ReadAsync(row, cancellationToken),
                p => p.Status.Card is { } shown && shown.OutTrackId == card && shown.ShownState != state ? CardState.Shown(p, row) : null,
                cancellationToken);
        }
    }

    private async Task<ScaleProposal> MarkShownAsync(ScaleProposal stored, IReadOnlyList<ScaleProposal> rendered, CancellationToken cancellationToken)
    {
        var result = stored;
        if (CardState.IsStale(stored))
        {
            var state = CardState.Of(stored);
            result = await writer.UpdateAsync(stored, p => CardState.Of(p) == state ? CardState.Shown(p, stored) : null, cancellationToken) ?? stored;
        }

        await RecordOtherRowsAsync(rendered, stored.Key, cancellationToken);
        return result;
    }
}
