using ScaleControl.Core.Proposals;

namespace ScaleControl.Core.Ports;

public enum UndoResultKind
{
    /// <summary>Applied at once: the workload is back where the change started.</summary>
    Applied,

    /// <summary>Became a proposal the roster must approve.</summary>
    Proposed,

    /// <summary>Not allowed: stale, already undone, too old, bounds, freeze, pin (the message says which).</summary>
    Refused,

    NotFound,
}

/// <summary>The outcome of an undo: the undo proposal (applied or pending) when there is one.</summary>
public sealed record UndoResult(UndoResultKind Kind, string Message, ScaleProposal? Proposal = null);

/// <summary>Where every undo enters, whatever the channel (card button, REST API, scalectl); implemented by the control service.</summary>
public interface IUndoInbox
{
    Task<UndoResult> UndoAsync(UndoOrder order, CancellationToken cancellationToken);
}
