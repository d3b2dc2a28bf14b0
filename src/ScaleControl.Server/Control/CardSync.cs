using ScaleControl.Core.Proposals;

namespace ScaleControl.Server.Control;

/// <summary>
/// Shows a proposal on its card and records on the proposal what the card now shows (<see cref="CardState"/>), so a
/// card left behind (a crash between the two, DingTalk down) is found and brought up to date by the
/// <see cref="CardReconciler"/>. The proposal is the truth; the card is its view.
/// </summary>
public sealed class CardSync(ProposalWriter writer, Announcer announcer)
{
    /// <summary>One card update for <paramref name="stored"/>; returns the proposal with the shown state recorded.</summary>
    public async Task<ScaleProposal> ShowAsync(ScaleProposal stored, CancellationToken cancellationToken)
    {
        if (!CardState.IsStale(stored) || !await announcer.UpdateCardAsync(stored, cancellationToken))
        {
            return stored;
        }

        var state = CardState.Of(stored);
        return await writer.UpdateAsync(stored, p => CardState.Of(p) == state ? CardState.Shown(p, stored) : null, cancellationToken) ?? stored;
    }
}
