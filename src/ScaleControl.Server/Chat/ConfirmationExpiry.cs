using ScaleControl.Core.Commands;
using ScaleControl.Core.Policies;
using ScaleControl.DingTalk.Cards;

namespace ScaleControl.Server.Chat;

/// <summary>
/// Closes the cards of chat confirmations that expired unconfirmed: the card says so and loses its Confirm button
/// (a late tap would only be told that no command waits for the code). Run by the leader on every tick; the
/// conditional take makes each card close once, whichever replica leads. Only confirmations ScaleControl stored are
/// closed (<see cref="ChatConfirmations.Expired"/>): one forged under a real card's code must not rewrite that card.
/// </summary>
public sealed class ConfirmationExpiry(ChatConfirmations confirmations, IConfirmationCards cards, GroupTimes clock, TimeProvider time)
{
    /// <param name="all">The policies the tick read (the confirmations are annotations on them).</param>
    public async Task SweepAsync(IReadOnlyCollection<ScalePolicy> all, CancellationToken cancellationToken)
    {
        foreach (var expired in confirmations.Expired(all, time.GetUtcNow()).ToList())
        {
            if (await confirmations.TryTakeAsync(expired, cancellationToken))
            {
                await cards.CloseAsync(expired.Code, "expired",
                    $"Expired at {clock.Format(expired.ExpiresAt)} without a confirmation; nothing was done. Send the command again if it is still wanted.", cancellationToken);
            }
        }
    }
}
