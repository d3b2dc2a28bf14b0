using System.Globalization;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using ScaleControl.DingTalk.Configuration;
using ScaleControl.Core.Commands;
using ScaleControl.Core.Ports;
using ScaleControl.Core.Proposals;
using ScaleControl.DingTalk.Cards;

namespace ScaleControl.DingTalk.Callbacks;

/// <summary>
/// Turns a card tap into an approval or rejection through the Core port <see cref="IApprovalInbox"/> (which applies
/// the lifecycle rules: roster, two-person rule, expiry, idempotency, and records the decision durably). The tap is
/// answered as soon as the decision is recorded — the scale write runs behind it — with a private note for the tapper
/// only: the card itself is updated once, by the server, when the proposal changes (the proposal is the truth, the
/// card its view). DingTalk waits at most 2 s, so a decision slower than the budget is answered with "received".
/// A tap on a card of another ScaleControl instance sharing the DingTalk app (<see cref="DingTalkOptions.Instance"/>)
/// is not this instance's to answer: <see cref="HandleAsync"/> returns null and changes nothing.
/// </summary>
public sealed partial class CardCallbackHandler(
    IApprovalInbox inbox,
    IUndoInbox undos,
    ICommandInbox commands,
    TimeProvider timeProvider,
    IOptions<DingTalkOptions> options,
    GroupTimes times,
    ILogger<CardCallbackHandler> logger,
    ILateTapAnswers? lateAnswers = null)
{
    /// <summary>A per-row button's param naming the row (<c>namespace/proposal</c>, <see cref="ScaleProposal.Key"/>).</summary>
    public const string RowParam = "row";

    /// <summary>A namespace and a proposal name at most.</summary>
    private const int MaxRowKeyLength = 63 + 1 + 253;

    /// <summary>Approve all's param with the rows and counts the card showed (<see cref="GroupCardRows.Seen"/>).</summary>
    public const string SeenParam = "seen";

    private const int MaxSeenLength = 16 * 1024;

    /// <summary>Answer by then, leaving room for the network inside DingTalk's 2 s.</summary>
    internal TimeSpan ReplyBudget { get; init; } = TimeSpan.FromMilliseconds(1500);

    /// <returns>The answer for the tapper, or null when the card belongs to another instance (hand the tap back).</returns>
    public async Task<CardCallbackReply?> HandleAsync(CardCallback callback, CancellationToken cancellationToken)
    {
        if (DingTalkConfirmationCards.TryParseCode(callback.OutTrackId, out var code))
        {
            return await ConfirmAsync(callback, code, cancellationToken);
        }

        if (!ProposalIdentity.TryParseOutTrackId(callback.OutTrackId, out var instance, out var ns, out var name))
        {
            return Refuse(callback, "This card is not a ScaleControl proposal.");
        }

        if (!string.Equals(instance, NullIfEmpty(options.Value.Instance), StringComparison.Ordinal))
        {
            LogNotOurs(logger, callback.OutTrackId, instance ?? "(none)", options.Value.Instance ?? "(none)");
            return null;
        }

        if (!CardActions.TryResolve(callback, out var action))
        {
            return Refuse(callback, "Unknown button; nothing was changed.");
        }

        if (action is CardAction.Undo or CardAction.UndoAll)
        {
            return await UndoAsync(callback, ns, name, allRows: action == CardAction.UndoAll, cancellationToken);
        }

        string? row = null;
        if (action is CardAction.ApproveRow or CardAction.RejectRow
            && !(callback.Params.TryGetValue(RowParam, out row) && row.Length is > 0 and <= MaxRowKeyLength && row.Contains('/')))
        {
            return Refuse(callback, "This row button names no row; nothing was changed.");
        }

        // Approve all carries the rows and counts the approver saw (a card posted before it did approves every open row).
        IReadOnlyDictionary<string, int>? seenRows = null;
        if (action == CardAction.ApproveAll && callback.Params.TryGetValue(SeenParam, out var seenText)
            && !(seenText.Length <= MaxSeenLength && GroupCardRows.TryParseSeen(seenText, out seenRows)))
        {
            return Refuse(callback, "This button's rows could not be read; nothing was changed.");
        }

        // The button carries the count the approver saw; the lifecycle grants what they saw if the card changed since.
        // A count that cannot be read is refused, not read as "whatever the proposal asks now".
        var approvesCount = action is CardAction.Approve or CardAction.ApproveHalf or CardAction.ApproveRow;
        if (approvesCount && callback.Params.TryGetValue("replicas", out var shown) && shown.Length > 0 && ButtonReplicas(callback) is null)
        {
            return Refuse(callback, "This button's replica count could not be read; nothing was changed.");
        }

        var rejects = action is CardAction.Reject or CardAction.RejectAll or CardAction.RejectRow;
        var allRows = action is CardAction.ApproveAll or CardAction.RejectAll;
        var replicas = approvesCount ? ButtonReplicas(callback) : null;
        var command = new ApprovalCommand(
            ns,
            name,
            callback.UserId,
            ApprovalChannel.DingTalk,
            Approve: !rejects,
            replicas,
            rejects ? "rejected on DingTalk" : null,
            HalfStep: action == CardAction.ApproveHalf && replicas is null,
            AwaitOutcome: false,
            AllRows: allRows,
            Row: row,
            SeenRows: seenRows);

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
                AnswerLate(callback, DecisionAnswerAsync());
                return CardCallbackReply.Private(PrivateMessage("Received; the card updates when the decision is recorded."));
            }
        }

        return CardCallbackReply.Private(PrivateMessage(await DecisionAnswerAsync()));

        async Task<string> DecisionAnswerAsync()
        {
            ApprovalResult result;
            try
            {
                result = await decision;
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                LogDecisionFailed(logger, e, callback.OutTrackId, callback.UserId);
                return "ScaleControl could not record this tap; please try again or use scalectl.";
            }

            LogTap(logger, callback.OutTrackId, callback.UserId, action, result.Kind);
            return result.Kind == ApprovalResultKind.Accepted
                ? "Recorded: " + result.Message
                : string.IsNullOrWhiteSpace(result.Message) ? "Nothing was changed." : result.Message;
        }
    }

    /// <summary>
    /// After the early "Received": the tap's outcome, once known, goes to the tapper's private note on the card
    /// (<see cref="ILateTapAnswers"/>). Not tied to the callback's request: it has been answered already.
    /// </summary>
    private void AnswerLate(CardCallback callback, Task<string> answer)
    {
        if (lateAnswers is null)
        {
            return;
        }

        _ = ShowAsync();

        async Task ShowAsync()
        {
            var message = await answer;
            await lateAnswers.ShowAsync(callback.OutTrackId, callback.UserId, PrivateMessage(message), CancellationToken.None);
        }
    }

    private static string? NullIfEmpty(string? text) => string.IsNullOrEmpty(text) ? null : text;

    /// <summary>
    /// "Undo" on an applied card: through the same rules as any override (an approver applies at once, anyone else's
    /// becomes a proposal). Answered within the budget like a decision; the card follows when the undo is recorded.
    /// A group card's "Undo all" (<paramref name="allRows"/>) undoes every applied row of the tapped card that way.
    /// </summary>
    private async Task<CardCallbackReply> UndoAsync(CardCallback callback, string ns, string name, bool allRows, CancellationToken cancellationToken)
    {
        var order = new UndoOrder(ns, name, callback.UserId, ApprovalChannel.DingTalk, "undone from the DingTalk card", allRows);
        var undo = undos.UndoAsync(order, CancellationToken.None);
        using (var budgetCancellation = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken))
        {
            var first = await Task.WhenAny(undo, Task.Delay(ReplyBudget, timeProvider, budgetCancellation.Token));
            await budgetCancellation.CancelAsync();
            if (first != undo)
            {
                AnswerLate(callback, UndoAnswerAsync());
                return CardCallbackReply.Private(PrivateMessage("Received; the card updates when the undo is recorded."));
            }
        }

        return CardCallbackReply.Private(PrivateMessage(await UndoAnswerAsync()));

        async Task<string> UndoAnswerAsync()
        {
            try
            {
                var result = await undo;
                LogUndo(logger, callback.OutTrackId, callback.UserId, result.Kind);
                return result.Message;
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                LogDecisionFailed(logger, e, callback.OutTrackId, callback.UserId);
                return "ScaleControl could not record this undo; please try again or use scalectl undo.";
            }
        }
    }

    /// <summary>
    /// A confirmation card's Confirm: the same as typing <c>confirm &lt;code&gt;</c> (who may confirm, the re-check, once),
    /// answered privately; the server shows the outcome on the card.
    /// </summary>
    private async Task<CardCallbackReply> ConfirmAsync(CardCallback callback, string code, CancellationToken cancellationToken)
    {
        if (!CardActions.TryResolve(callback, out var action) || action != CardAction.Confirm)
        {
            return Refuse(callback, "Unknown button; nothing was changed.");
        }

        var request = new CommandRequest(new ConfirmCommand(code), callback.UserId, callback.UserId, $"tapped Confirm ({code})", null);
        var reply = await commands.ExecuteAsync(request, cancellationToken);
        LogConfirmTap(logger, code, callback.UserId, reply.Outcome);
        return CardCallbackReply.Private(PrivateMessage(reply.Markdown));
    }

    /// <summary>The count on the tapped button (<c>replicas</c> param): what the approver saw.</summary>
    private static int? ButtonReplicas(CardCallback callback) =>
        callback.Params.TryGetValue("replicas", out var text)
        && int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var replicas) && replicas > 0 ? replicas : null;

    /// <summary>A private answer, the rules' UTC times in it shown in the group's zone.</summary>
    private IReadOnlyDictionary<string, string> PrivateMessage(string message) => ApprovalCardContent.PrivateMessage(times.Localize(message));

    private CardCallbackReply Refuse(CardCallback callback, string message)
    {
        LogRefused(logger, callback.OutTrackId, callback.UserId, message);
        return CardCallbackReply.Private(PrivateMessage(message));
    }

    [LoggerMessage(EventId = 300, Level = LogLevel.Information, Message = "Card {OutTrackId}: {UserId} tapped {Action} -> {Result}")]
    private static partial void LogTap(ILogger logger, string outTrackId, string userId, CardAction action, ApprovalResultKind result);

    [LoggerMessage(EventId = 305, Level = LogLevel.Information, Message = "Card {OutTrackId}: {UserId} tapped Undo -> {Result}")]
    private static partial void LogUndo(ILogger logger, string outTrackId, string userId, UndoResultKind result);

    [LoggerMessage(EventId = 301, Level = LogLevel.Information, Message = "Card {OutTrackId}: tap by {UserId} changed nothing: {Message}")]
    private static partial void LogRefused(ILogger logger, string outTrackId, string userId, string message);

    [LoggerMessage(EventId = 306, Level = LogLevel.Information, Message = "Card {OutTrackId} belongs to instance {Owner}, not {Instance}: handed back")]
    private static partial void LogNotOurs(ILogger logger, string outTrackId, string owner, string instance);

    [LoggerMessage(EventId = 304, Level = LogLevel.Information, Message = "Confirmation card {Code}: {UserId} tapped Confirm -> {Outcome}")]
    private static partial void LogConfirmTap(ILogger logger, string code, string userId, CommandOutcome outcome);

    [LoggerMessage(EventId = 303, Level = LogLevel.Error, Message = "Card {OutTrackId}: recording the tap by {UserId} failed")]
    private static partial void LogDecisionFailed(ILogger logger, Exception exception, string outTrackId, string userId);

    [LoggerMessage(EventId = 302, Level = LogLevel.Warning, Message = "Card {OutTrackId}: decision for {UserId} is slower than the reply budget; answering early")]
    private static partial void LogSlowDecision(ILogger logger, string outTrackId, string userId);
}
