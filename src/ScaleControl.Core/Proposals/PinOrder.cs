namespace ScaleControl.Core.Proposals;

/// <summary>
/// A request to hold a workload at <see cref="Replicas"/> for a while, from any channel (API, scalectl, chat): who asks
/// and through what decides whether it applies at once or becomes a proposal (<see cref="OverrideRules"/>).
/// </summary>
public sealed record PinOrder(
    string Namespace,
    string Workload,
    int Replicas,
    int DurationSeconds,
    string Reason,
    string User,
    ApprovalChannel Channel,
    bool AllowOutsideBounds = false);
