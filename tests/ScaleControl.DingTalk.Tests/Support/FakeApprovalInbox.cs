using System.Collections.Concurrent;
using ScaleControl.Core.Ports;
using ScaleControl.Core.Proposals;

namespace ScaleControl.DingTalk.Tests.Support;

/// <summary>
/// A stand-in for the server's control service with simple rules: only roster members decide, only while pending,
/// one approval applies at once (to the chosen replicas), a repeat by the same person is a duplicate.
/// </summary>
internal sealed class FakeApprovalInbox(TimeProvider timeProvider) : IApprovalInbox, IUndoInbox, IProposalStore
{
    private readonly ConcurrentQueue<UndoOrder> _undos = new();

    public IReadOnlyCollection<UndoOrder> Undos => _undos;

    /// <summary>What an undo answers (the server's rules are tested in the server's tests).</summary>
    public UndoResult UndoAnswer { get; set; } = new(UndoResultKind.Applied, "undone: shop/checkout-api 60 → 20");

    public async Task<UndoResult> UndoAsync(UndoOrder order, CancellationToken cancellationToken)
    {
        _undos.Enqueue(order);
        if (Gate is { } gate)
        {
            await gate.Task.WaitAsync(cancellationToken);
        }

        return UndoAnswer;
    }

    private readonly ConcurrentDictionary<string, ScaleProposal> _proposals = new(StringComparer.Ordinal);
    private readonly ConcurrentQueue<ApprovalCommand> _commands = new();

    /// <summary>When set, a decision or an undo waits for it before it is made: a server slower than any reply budget.</summary>
    public TaskCompletionSource? Gate { get; set; }

    public IReadOnlyCollection<ApprovalCommand> Commands => _commands;

    /// <summary>What the host does with an accepted decision (the server updates the card); nothing by default.</summary>
    public Func<ScaleProposal, Task>? OnAccepted { get; set; }

    public void Add(ScaleProposal proposal) => _proposals[proposal.Key] = proposal;

    public ScaleProposal Get(string ns, string name) => _proposals[$"{ns}/{name}"];

    public async Task<ApprovalResult> DecideAsync(ApprovalCommand command, CancellationToken cancellationToken)
    {
        var result = await DecideInMemoryAsync(command, cancellationToken);
        if (result is { Kind: ApprovalResultKind.Accepted, Proposal: { } accepted } && OnAccepted is { } onAccepted)
        {
            await onAccepted(accepted);
        }

        return result;
    }

    private async Task<ApprovalResult> DecideInMemoryAsync(ApprovalCommand command, CancellationToken cancellationToken)
    {
        _commands.Enqueue(command);
        if (Gate is { } gate)
        {
            await gate.Task.WaitAsync(cancellationToken);
        }

        var key = $"{command.Namespace}/{command.ProposalName}";
        lock (_proposals)
        {
            if (!_proposals.TryGetValue(key, out var proposal))
            {
                return new ApprovalResult(ApprovalResultKind.NotFound, $"proposal {key} not found", null);
            }

            var workload = $"{proposal.Metadata.Namespace}/{proposal.Spec.Target.Name}";
            if (!proposal.Spec.Approvers.Contains(command.User))
            {
                return new ApprovalResult(ApprovalResultKind.Refused, $"you are not an approver for {workload}", proposal);
            }

            if (proposal.Status.Approvals.Any(a => a.User == command.User))
            {
                return new ApprovalResult(ApprovalResultKind.Duplicate, "you already approved this", proposal);
            }

            if (proposal.Status.Phase != ProposalPhase.Pending)
            {
                return new ApprovalResult(ApprovalResultKind.Refused, $"too late: {workload} is already {proposal.Status.Phase.ToString().ToLowerInvariant()}", proposal);
            }

            if (command.HalfStep && proposal.Spec.AlternativeReplicas is null)
            {
                return new ApprovalResult(ApprovalResultKind.Refused, $"no half step is offered for {workload}", proposal);
            }

            var now = timeProvider.GetUtcNow();
            var replicas = command.Replicas ?? (command.HalfStep ? proposal.Spec.AlternativeReplicas : null) ?? proposal.Spec.ToReplicas;
            var status = command.Approve
                ? proposal.Status with
                {
                    Phase = ProposalPhase.Applied,
                    Approvals = [.. proposal.Status.Approvals, new ApprovalRecord { User = command.User, Channel = command.Channel, At = now, Replicas = replicas }],
                    AppliedReplicas = replicas,
                    AppliedAt = now,
                }
                : proposal.Status with
                {
                    Phase = ProposalPhase.Rejected,
                    Rejection = new RejectionRecord { User = command.User, Channel = command.Channel, At = now, Reason = command.Reason ?? "" },
                };
            var updated = proposal with { Status = status };
            _proposals[key] = updated;
            return new ApprovalResult(ApprovalResultKind.Accepted, "ok", updated);
        }
    }

    Task<IReadOnlyList<ScaleProposal>> IProposalStore.ListAsync(string? @namespace, CancellationToken cancellationToken) =>
        Task.FromResult<IReadOnlyList<ScaleProposal>>([.. _proposals.Values]);

    Task<ScaleProposal?> IProposalStore.GetAsync(string @namespace, string name, CancellationToken cancellationToken) =>
        Task.FromResult(_proposals.GetValueOrDefault($"{@namespace}/{name}"));

    Task<ScaleProposal> IProposalStore.CreateAsync(ScaleProposal proposal, CancellationToken cancellationToken) => throw new NotSupportedException();

    Task<ScaleProposal> IProposalStore.UpdateAsync(ScaleProposal proposal, CancellationToken cancellationToken) => throw new NotSupportedException();

    Task IProposalStore.DeleteAsync(ScaleProposal proposal, CancellationToken cancellationToken) => throw new NotSupportedException();
}
