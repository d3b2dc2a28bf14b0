namespace ScaleControl.Core.Ports;

/// <summary>
/// Which sealed approvals an apply has used (it scaled, or its proposal failed), kept outside the ScaleProposals and
/// keyed by the approval's seal. An approval is good for one apply: whoever may write <c>scaleproposals</c> could
/// otherwise rewind an Applied proposal's status to Approved (or delete it and create it again, same name and
/// approvals) and have an old pin or undo scale the workload again while its approvals are still young enough to count.
/// </summary>
public interface IUsedApprovalLedger
{
    /// <summary>When the approval sealed <paramref name="seal"/> was used by an apply; null when it never was. Throws when it cannot tell.</summary>
    Task<DateTimeOffset?> UsedAtAsync(string seal, CancellationToken cancellationToken);

    /// <summary>
    /// Records that an apply of <paramref name="proposal"/> (<c>namespace/name</c>) used the approval sealed
    /// <paramref name="seal"/>; a second record changes nothing.
    /// </summary>
    Task RecordAsync(string seal, string proposal, DateTimeOffset at, CancellationToken cancellationToken);
}
