using System.Globalization;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using ScaleControl.Core.Ports;
using ScaleControl.Core.Proposals;
using ScaleControl.DingTalk.Cards;

namespace ScaleControl.DingTalk.Callbacks;

/// <summary>
/// Turns a card tap into an approval or rejection through <see cref="IApprovalInbox"/> (which applies the lifecycle
/// rules: roster, two-person rule, expiry, idempotency) and answers with the card update. DingTalk waits at most
/// 2 s for the answer, so a decision that takes longer is answered with a private "received" note and finishes on
/// its own; the card is then updated through <see cref="IApprovalNotifier.UpdateProposalAsync"/>.
/// </summary>
public sealed partial class CardCallbackHandler(
    IServiceProvider services,
    ApprovalCardContent content,
    TimeProvider timeProvider,
    ILogger<CardCallbackHandler> logger)
{
    /// <summary>Answer by then, leaving room for the network inside DingTalk's 2 s.</summary>
    internal TimeSpan ReplyBudget { get; init; } = TimeSpan.FromMilliseconds(1500);

    public async Task<CardCallbackReply> HandleAsync(CardCallback callback, CancellationToken cancellationToken)
    {
        if (!ProposalIdentity.TryParseOutTrackId(callback.OutTrackId, out var ns, out var name))
        {
            return Refuse(callback, "This card is not a ScaleControl proposal.");
        }

        if (!CardActions.TryResolve(callback, out var action))
        {
            return Refuse(callback, "Unknown button; nothing was changed.");
        }

        // The button carries the count the approver saw; the lifecycle grants what they saw if the card changed since.
        var replicas = action == CardAction.Approve ? ButtonReplicas(callback) : null;
        if (action == CardAction.ApproveHalf)
        {
            replicas = await AlternativeReplicasAsync(callback, ns, name, cancellationToken);
            if (replicas is null)
            {
                return Refuse(callback, $"No half step is offered for {ns}/{name}; nothing was changed.");
            }
        }

        var rejects = action is CardAction.Reject or CardAction.RejectAll;
        var allRows = action is CardAction.ApproveAll or CardAction.RejectAll;
        var command = new ApprovalCommand(
            ns,
            name,
            callback.UserId,
            ApprovalChannel.DingTalk,
            Approve: !rejects,
            replicas,
            rejects ? "rejected on DingTalk" : null,
            allRows);

        // Resolved per tap: the inbox is the server's control service, which itself uses this project's notifier.
        var inbox = services.GetRequiredService<IApprovalInbox>();

        // Not cancelled with the request: a decision that started is allowed to finish (and apply once).
        var decision = inbox.DecideAsync(command, CancellationToken.None);
        using (var budgetCancellation = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken))
        {
            var budget = Task.Delay(ReplyBudget, timeProvider, budgetCancellation.Token);
            var first = await Task.WhenAny(decision, budget);
            await budgetCancellation.CancelAsync();
            if (first != decision)
            {
                LogSlowDecision(logger, callback.OutTrackId, callback.UserId);
                return CardCallbackReply.Private(ApprovalCardContent.PrivateMessage("Received; the card updates when the decision is recorded."));
            }
        }

        ApprovalResult result;
        try
        {
            result = await decision;
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            LogDecisionFailed(logger, e, callback.OutTrackId, callback.UserId);
            return CardCallbackReply.Private(ApprovalCardContent.PrivateMessage("ScaleControl could not record this tap; please try again or use scalectl."));
        }

        LogTap(logger, callback.OutTrackId, callback.UserId, action, result.Kind);
        return result switch
        {
            // A group card shows several proposals: the server renders it whole; the reply tells the tapper what happened.
            { Kind: ApprovalResultKind.Accepted } when allRows =>
                CardCallbackReply.Private(ApprovalCardContent.PrivateMessage(result.Message)),
            { Kind: ApprovalResultKind.Accepted, Proposal: { } proposal } =>
                CardCallbackReply.Public(content.Build(proposal), ApprovalCardContent.PrivateMessage("")),
            _ => CardCallbackReply.Private(ApprovalCardContent.PrivateMessage(
                string.IsNullOrWhiteSpace(result.Message) ? "Nothing was changed." : result.Message)),
        };
    }

    /// <summary>The half step: from the button's <c>replicas</c> param, else from the proposal itself.</summary>
    private async Task<int?> AlternativeReplicasAsync(CardCallback callback, string ns, string name, CancellationToken cancellationToken)
    {
        if (ButtonReplicas(callback) is { } fromButton)
        {
            return fromButton;
        }

        var store = services.GetService<IProposalStore>();
        return store is null ? null : (await store.GetAsync(ns, name, cancellationToken))?.Spec.AlternativeReplicas;
    }

    private static int? ButtonReplicas(CardCallback callback) =>
        callback.Params.TryGetValue("replicas", out var text)
        && int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var replicas) && replicas > 0 ? replicas : null;

    private CardCallbackReply Refuse(CardCallback callback, string message)
    {
        LogRefused(logger, callback.OutTrackId, callback.UserId, message);
        return CardCallbackReply.Private(ApprovalCardContent.PrivateMessage(message));
    }

    [LoggerMessage(EventId = 300, Level = LogLevel.Information, Message = "Card {OutTrackId}: {UserId} tapped {Action} -> {Result}")]
    private static partial void LogTap(ILogger logger, string outTrackId, string userId, CardAction action, ApprovalResultKind result);

    [LoggerMessage(EventId = 301, Level = LogLevel.Information, Message = "Card {OutTrackId}: tap by {UserId} changed nothing: {Message}")]
    private static partial void LogRefused(ILogger logger, string outTrackId, string userId, string message);

    [LoggerMessage(EventId = 303, Level = LogLevel.Error, Message = "Card {OutTrackId}: recording the tap by {UserId} failed")]
    private static partial void LogDecisionFailed(ILogger logger, Exception exception, string outTrackId, string userId);

    [LoggerMessage(EventId = 302, Level = LogLevel.Warning, Message = "Card {OutTrackId}: decision for {UserId} is slower than the reply budget; answering early")]
    private static partial void LogSlowDecision(ILogger logger, string outTrackId, string userId);
}
