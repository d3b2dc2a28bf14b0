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
        CardState.IsStale(stored) && await announcer.UpdateCardAsync(stored, cancellationToken)
            ? await MarkShownAsync(stored, cancellationToken)
            : stored;

    /// <summary>One card update the loop asked for (an amendment, a row joining a group card), recorded like any other.</summary>
    public async Task ShowCardAsync(ScaleProposal row, CancellationToken cancellationToken)
    {
        if (await announcer.UpdateCardAsync(row, cancellationToken))
        {
            await MarkShownAsync(row, cancellationToken);
        }
    }

    /// <summary>A card of several rows renders every row sharing it, so each row records what the card now shows of it.</summary>
    private async Task<ScaleProposal> MarkShownAsync(ScaleProposal stored, CancellationToken cancellationToken)
    {
        var result = stored;
        var rows = await announcer.CardRowsAsync(stored, cancellationToken);
        foreach (var row in rows.Where(CardState.IsStale))
        {
            var state = CardState.Of(row);
            var marked = await writer.UpdateAsync(row, p => CardState.Of(p) == state ? CardState.Shown(p, row) : null, cancellationToken) ?? row;
            if (row.Key == stored.Key)
            {
                result = marked;
            }
        }

        return result;
    }
}
