namespace ScaleControl.Core.Commands;

/// <summary>
/// A risky chat command waiting for its Confirm button: shown to <see cref="Confirmers"/> only (the sender, or under
/// the two-person rule the policy's other approvers), in the conversation it came from (null: a one-to-one chat).
/// </summary>
public sealed record ConfirmationCard(
    string Code, string Sender, string? Conversation, IReadOnlyList<string> Confirmers, string Title, string Markdown, DateTimeOffset ExpiresAt);

/// <summary>Sends and closes confirmation cards (DingTalk: an interactive card whose Confirm tap comes back as <c>confirm &lt;code&gt;</c>).</summary>
public interface IConfirmationCards
{
    /// <summary>Best effort: a card that cannot be sent leaves the typed <c>confirm &lt;code&gt;</c>.</summary>
    Task SendAsync(ConfirmationCard card, CancellationToken cancellationToken);

    /// <summary>Shows the outcome on the card (confirmed and by whom, or expired) and removes its button.</summary>
    Task CloseAsync(string code, string status, string result, CancellationToken cancellationToken);
}
