using ScaleControl.Core.Decisions;
using ScaleControl.Core.Ports;
using ScaleControl.DingTalk.Api;

namespace ScaleControl.Server.Telemetry;

/// <summary>Source-generated log messages with stable event ids (one line per decision that changes something).</summary>
public static partial class Log
{
    [LoggerMessage(1000, LogLevel.Information, "Decision {Namespace}/{Policy}: {Outcome} {From} -> {To}: {Reason}")]
    public static partial void DecisionMade(this ILogger logger, string @namespace, string policy, DecisionOutcome outcome, int from, int to, string reason);

    [LoggerMessage(1001, LogLevel.Warning, "Evaluating {Namespace}/{Policy} failed (logged again only when the cause changes)")]
    public static partial void EvaluationFailed(this ILogger logger, Exception exception, string @namespace, string policy);

    [LoggerMessage(1005, LogLevel.Information, "Evaluating {Namespace}/{Policy} works again")]
    public static partial void EvaluationRecovered(this ILogger logger, string @namespace, string policy);

    [LoggerMessage(1006, LogLevel.Information, "History of {Policies} policies the loop was not watching filled in: {Samples} metric samples from Prometheus, {Changes} applied changes from ScaleProposals, {Charted} dashboard samples{Problem}")]
    public static partial void HistoryBackfilled(this ILogger logger, int policies, int samples, int changes, int charted, string problem);

    [LoggerMessage(1007, LogLevel.Information, "History of {Namespace}/{Policy} learned {Changes} applied changes from ScaleProposal {Proposal} (applied elsewhere: another replica, or before this one watched)")]
    public static partial void AppliedChangesLearned(this ILogger logger, int changes, string @namespace, string policy, string proposal);

    [LoggerMessage(1002, LogLevel.Warning, "Workload {Workload} of policy {Namespace}/{Policy} was not found")]
    public static partial void WorkloadMissing(this ILogger logger, string workload, string @namespace, string policy);

    [LoggerMessage(1003, LogLevel.Error, "Control loop tick failed")]
    public static partial void TickFailed(this ILogger logger, Exception exception);

    [LoggerMessage(1004, LogLevel.Warning, "Lost leadership mid-tick; the tick stopped before writing: {Detail}")]
    public static partial void LeadershipLostMidTick(this ILogger logger, string detail);

    [LoggerMessage(1100, LogLevel.Information, "Proposal {Namespace}/{Proposal} {From} -> {To}: {Phase} ({Message})")]
    public static partial void ProposalPhase(this ILogger logger, string @namespace, string proposal, int from, int to, string phase, string message);

    [LoggerMessage(1101, LogLevel.Information, "Scaled {Workload} {From} -> {To} ({Channel}, proposal {Proposal})")]
    public static partial void Scaled(this ILogger logger, string workload, int from, int to, string channel, string proposal);

    [LoggerMessage(1102, LogLevel.Warning, "Scaling {Workload} to {To} failed: {Message}")]
    public static partial void ScaleFailed(this ILogger logger, string workload, int to, string message);

    [LoggerMessage(1103, LogLevel.Information, "{User} via {Channel} on {Namespace}/{Proposal}: {Result} ({Message})")]
    public static partial void ApprovalHandled(this ILogger logger, string user, string channel, string @namespace, string proposal, string result, string message);

    /// <summary>
    /// A failed DingTalk call: DingTalk's answer (code and message) or that it was out of reach, in one line when that is
    /// the expected kind of failure (a storm's throttling is many of them, a stack trace says nothing more); anything
    /// else with its stack.
    /// </summary>
    public static void NotifyFailed(this ILogger logger, Exception exception, string operation, string @namespace, string proposal)
    {
        if (exception is NotifierBusyException || DingTalkFailures.IsCallFailure(exception))
        {
            NotifyCallFailed(logger, operation, @namespace, proposal, exception.Message);
        }
        else
        {
            NotifyFailedUnexpectedly(logger, exception, operation, @namespace, proposal);
        }
    }

    [LoggerMessage(1104, LogLevel.Warning, "DingTalk {Operation} for {Namespace}/{Proposal} failed")]
    private static partial void NotifyFailedUnexpectedly(this ILogger logger, Exception exception, string operation, string @namespace, string proposal);

    [LoggerMessage(1108, LogLevel.Warning, "DingTalk {Operation} for {Namespace}/{Proposal} failed: {Error}")]
    private static partial void NotifyCallFailed(this ILogger logger, string operation, string @namespace, string proposal, string error);

    [LoggerMessage(1107, LogLevel.Information, "Undo of {Namespace}/{Proposal} is no longer offered: {Message}")]
    public static partial void UndoWithdrawn(this ILogger logger, string @namespace, string proposal, string message);

    [LoggerMessage(1105, LogLevel.Error, "Applying {Namespace}/{Proposal} failed; its claim is resumed by the leader")]
    public static partial void ApplyFailed(this ILogger logger, Exception exception, string @namespace, string proposal);

    [LoggerMessage(1106, LogLevel.Warning, "Applying {Namespace}/{Proposal} ({Workload} → {To}) deferred, nothing written: {Reason}; the leader resumes it after the claim timeout")]
    public static partial void ApplyInterrupted(this ILogger logger, string @namespace, string proposal, string workload, int to, string reason);

    [LoggerMessage(1110, LogLevel.Information, "Pruned {Count} finished proposals: {ByAge} finished more than {MaxAgeDays} days ago, {ByCount} beyond the newest {MaxPerPolicy} of their policy")]
    public static partial void ProposalsPruned(this ILogger logger, int count, int byAge, int maxAgeDays, int byCount, int maxPerPolicy);

    [LoggerMessage(1111, LogLevel.Warning, "Pruning finished proposals: {Failed} delete(s) failed, first {Proposal}; the next pass tries again")]
    public static partial void PruneDeleteFailed(this ILogger logger, Exception exception, int failed, string proposal);

    [LoggerMessage(1112, LogLevel.Warning, "Pruning finished proposals failed; the next pass tries again")]
    public static partial void PruneFailed(this ILogger logger, Exception exception);

    [LoggerMessage(1200, LogLevel.Information, "{User} {Action} {Namespace}/{Policy}: {Detail}")]
    public static partial void OverrideChanged(this ILogger logger, string user, string action, string @namespace, string policy, string detail);

    [LoggerMessage(1120, LogLevel.Warning, "Could not assess the cost and room of {Proposal}")]
    public static partial void CapacityUnknown(this ILogger logger, Exception exception, string proposal);

    [LoggerMessage(1121, LogLevel.Warning, "Proposal {Proposal} is Rejected by a rejection in the name of {User} that ScaleControl did not record ({Why}): it stays stopped, and a new proposal follows while the change is still needed (an unverified rejection holds nothing back); check who edited its status")]
    public static partial void UnverifiedRejection(this ILogger logger, string proposal, string user, string why);
}
