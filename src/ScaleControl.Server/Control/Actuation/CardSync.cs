using ScaleControl.Core.Proposals;

namespace ScaleControl.Server.Control.Actuation;

/// <summary>
/// Shows a proposal on its card and records on the proposal what the card now shows (<see cref="CardState"/>), so a
/// card left behind (a crash between the two, DingTalk down, two renders racing) is found and brought up to date by
/// the <see cref="CardReconciler"/>. The proposal is the truth; the card is its view.
/// </summary>
public sealed class CardSync(ProposalWriter writer, Announcer announcer)
{
    /// <summary>One card update for <paramref name="stored"/> if its card is stale; returns the proposal with what the card shows recorded.</summary>
    public async Task<ScaleProposal> ShowAsync(ScaleProposal stored, CancellationToken cancellationToken) =>
        CardState.IsStale(stored) && await announcer.UpdateCardAsync(stored, cancellationToken) is { } rendered
            ? await RecordAsync(stored, rendered, cancellationToken)
            : stored;

    /// <summary>One card update the loop asked for (an amendment, a row joining a group card), recorded like any other.</summary>
    public async Task ShowCardAsync(ScaleProposal row, CancellationToken cancellationToken)
    {
        if (await announcer.UpdateCardAsync(row, cancellationToken) is { } rendered)
        {
            await RecordAsync(row, rendered, cancellationToken);
        }
    }

    /// <summary>A card of several rows renders every row sharing it, so each other row records what the card now shows of it.</summary>
    public async Task RecordOtherRowsAsync(IReadOnlyList<ScaleProposal> rendered, string except, CancellationToken cancellationToken)
    {
        foreach (var row in rendered.Where(r => r.Key != except && r.Status.Card is not null))
        {
            await RecordShownAsync(row, cancellationToken);
        }
    }

    private async Task<ScaleProposal> RecordAsync(ScaleProposal shown, IReadOnlyList<ScaleProposal> rendered, CancellationToken cancellationToken)
    {
        var result = await RecordShownAsync(shown, cancellationToken);
        await RecordOtherRowsAsync(rendered, shown.Key, cancellationToken);
        return result;
    }

    /// <summary>
    /// Records that the card shows <paramref name="shown"/>, the proposal as read for the render, if nothing wrote it
    /// since that read. A write since (a tap on another replica, the loop) comes with a render of its own, which may land
    /// before or after this one: the card then shows one of the two, and it is recorded as unknown, so the reconciler
    /// renders it again from a fresh read. A render from an old read (a lagging cache) can no longer leave a card asking
    /// for approval after a "no".
    /// </summary>
    private async Task<ScaleProposal> RecordShownAsync(ScaleProposal shown, CancellationToken cancellationToken)
    {
        if (CardState.IsStale(shown))
        {
            return await writer.UpdateIfUnchangedAsync(CardState.Shown(shown, shown), cancellationToken)
                ?? await RecordUnknownAsync(shown, cancellationToken);
        }

        // Already recorded as showing this state: only a write since the read can have moved what the card shows.
        var now = await writer.ReadAsync(shown, cancellationToken);
        return now.Metadata.ResourceVersion == shown.Metadata.ResourceVersion ? now : await RecordUnknownAsync(now, cancellationToken);
    }

    private async Task<ScaleProposal> RecordUnknownAsync(ScaleProposal read, CancellationToken cancellationToken)
    {
        var card = read.Status.Card?.OutTrackId;
        var current = await writer.ReadAsync(read, cancellationToken);
        return await writer.UpdateAsync(current, p => p.Status.Card?.OutTrackId == card ? CardState.ShowingUnknown(p) : null, cancellationToken)
            ?? current;
    }
}
