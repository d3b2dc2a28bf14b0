using Microsoft.Extensions.Options;
using ScaleControl.Core.Policies;
using ScaleControl.Core.Ports;
using ScaleControl.Core.Proposals;
using ScaleControl.Server.Chat;
using ScaleControl.Server.Control.Actuation;
using ScaleControl.Server.Control.Loop;
using ScaleControl.Server.Hosting;
using ScaleControl.Server.Security;
using ScaleControl.Server.Telemetry;

namespace ScaleControl.Server.Control.Overrides;

/// <summary>
/// Takes an applied change back (<see cref="UndoRules"/>): an undo proposal from where the workload is to where the
/// change started, applied at once when the caller may (an approver on the roster, within the bounds), otherwise sent
/// to the approvers as a card. The original is marked undone when the undo is applied (<see cref="UndoCompletion"/>).
/// </summary>
public sealed class UndoService(
    IProposalStore store,
    IPolicyStore policies,
    IWorkloadClient workloads,
    ProposalService proposals,
    ProposalWriter writer,
    ScaleApplier applier,
    Announcer announcer,
    ApprovalSigner signer,
    CapacityAssessor capacity,
    ChatPeople people,
    IOptions<ControlLoopOptions> options,
    TimeProvider time,
    ILogger<UndoService> logger) : IUndoInbox
{
    private readonly SemaphoreSlim _gate = new(1, 1);

    public async Task<UndoResult> UndoAsync(UndoOrder order, CancellationToken cancellationToken)
    {
        // One undo at a time on this replica: two taps on Undo make one undo proposal, the second sees the first.
        await _gate.WaitAsync(cancellationToken);
        try
        {
            return order.AllRows ? await UndoRowsAsync(order, cancellationToken) : await UndoGatedAsync(order, cancellationToken);
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>
    /// "Undo all" on a group card: every applied row of the tapped card, one by one under its own rules, newest first
    /// (a workload with two applied steps on the card goes back through both).
    /// </summary>
    private async Task<UndoResult> UndoRowsAsync(UndoOrder order, CancellationToken cancellationToken)
    {
        if (await store.GetAsync(order.Namespace, order.Proposal, cancellationToken) is not { } card)
        {
            return new UndoResult(UndoResultKind.NotFound, $"proposal {order.Namespace}/{order.Proposal} not found");
        }

        var rows = (await announcer.CardRowsAsync(card, cancellationToken)).Where(p => p.Status.Phase == ProposalPhase.Applied).ToList();
        if (rows.Count == 0)
        {
            return new UndoResult(UndoResultKind.Refused, "no row of this card is applied; nothing to undo", card);
        }

        var results = new List<(ScaleProposal Row, UndoResult Result)>();
        foreach (var row in Enumerable.Reverse(rows))
        {
            results.Add((row, await UndoGatedAsync(order with { Namespace = row.Metadata.Namespace, Proposal = row.Metadata.Name, AllRows = false }, cancellationToken)));
        }

        var applied = results.Count(r => r.Result.Kind == UndoResultKind.Applied);
        var proposed = results.Count(r => r.Result.Kind == UndoResultKind.Proposed);
        var kind = applied > 0 ? UndoResultKind.Applied : proposed > 0 ? UndoResultKind.Proposed : UndoResultKind.Refused;
        var lines = RowOutcomes.Join(results.Select(r => ($"{r.Row.Metadata.Namespace}/{r.Row.Spec.Target.Name}", r.Result.Message)));
        return new UndoResult(kind, $"{applied} of {rows.Count} rows undone{(proposed > 0 ? $", {proposed} await approval" : "")}: {lines}",
            results.FirstOrDefault(r => r.Result.Kind == kind).Result?.Proposal);
    }

    private async Task<UndoResult> UndoGatedAsync(UndoOrder order, CancellationToken cancellationToken)
    {
        if (await store.GetAsync(order.Namespace, order.Proposal, cancellationToken) is not { } original)
        {
            return new UndoResult(UndoResultKind.NotFound, $"proposal {order.Namespace}/{order.Proposal} not found");
        }

        var policy = await policies.GetAsync(original.Metadata.Namespace, original.Spec.PolicyName, cancellationToken);
        var target = ProposalFactory.TargetOf(original);
        var workload = await workloads.GetAsync(target, cancellationToken);
        var sameNamespace = await store.ListAsync(original.Metadata.Namespace, cancellationToken);
        var earlier = await EarlierUndoAsync(original, sameNamespace, cancellationToken);
        var open = await proposals.FindOpenAsync(target, cancellationToken);
        var now = time.GetUtcNow();
        var verdict = UndoRules.Check(original, policy, workload, earlier, order.User, now, TimeSpan.FromSeconds(options.Value.UndoWindowSeconds), open,
            UndoRules.NewerChange(original, sameNamespace));
        if (verdict.Route == OverrideRoute.ApplyNow && NotAnOperatorOnTheCard(order, policy) is { } refusal)
        {
            verdict = new OverrideVerdict(OverrideRoute.Refuse, refusal);
        }

        if (verdict.Route == OverrideRoute.Refuse)
        {
            logger.ApprovalHandled(order.User, order.Channel.ToString(), order.Namespace, order.Proposal, "undo refused", verdict.Message);
            return new UndoResult(UndoResultKind.Refused, $"cannot undo {original.Metadata.Name}: {verdict.Message}", original);
        }

        var undo = await capacity.WithCapacityAsync(ProposalFactory.ForUndo(policy!, workload!, original, order, verdict, now), workload, cancellationToken);
        var created = await writer.CreateAsync(signer.SignFor(undo, order.User), cancellationToken);
        if (open?.Status.Phase == ProposalPhase.Pending)
        {
            await proposals.SupersedeAsync(open, created, cancellationToken);
        }

        if (earlier is { Status.Phase: ProposalPhase.Pending } && earlier.Metadata.Name != open?.Metadata.Name)
        {
            // An approver's undo took over one still waiting for approval (UndoRules.Check): that request is answered.
            await proposals.SupersedeAsync(earlier, created, cancellationToken);
        }

        logger.ApprovalHandled(order.User, order.Channel.ToString(), order.Namespace, order.Proposal, "undo " + verdict.Route, $"{created.Spec.FromReplicas} → {created.Spec.ToReplicas} ({created.Metadata.Name})");
        if (verdict.Route == OverrideRoute.ApplyNow)
        {
            var applied = await applier.ApplyAsync(created, order.User, cancellationToken);
            return applied.Status.Phase == ProposalPhase.Applied
                ? new UndoResult(UndoResultKind.Applied, $"undone: {target} {applied.Spec.FromReplicas} → {applied.Status.AppliedReplicas} ({applied.Metadata.Name})", applied)
                : new UndoResult(UndoResultKind.Refused, $"the undo did not apply: {applied.Status.Message}", applied);
        }

        await announcer.EventAsync(created, ScaleEventReasons.ScaleProposalCreated,
            $"proposal {created.Metadata.Name}: {created.Spec.FromReplicas} → {created.Spec.ToReplicas} awaits approval: {created.Spec.Reason}", warning: false, cancellationToken);
        var card = await announcer.SendCardAsync(created, policy!, cancellationToken);
        var shown = CardState.SentShowing(card, created);
        var stored = await writer.UpdateAsync(created, p => ProposalLifecycle.WithCard(p, shown), cancellationToken) ?? created;
        return new UndoResult(UndoResultKind.Proposed, $"the undo awaits approval ({verdict.Message}): proposal {stored.Metadata.Name}, {stored.Spec.FromReplicas} → {stored.Spec.ToReplicas}", stored);
    }

    /// <summary>
    /// On a policy without a roster an undo applies at once, which the API and chat allow only the namespace's operators;
    /// a card's Undo carries no role, only who tapped (anyone who sees the card in the group): live, a viewer's Undo all
    /// took an automatic card's two steps back. So a tapper must be an operator there (<see cref="ChatPeople"/>).
    /// </summary>
    private string? NotAnOperatorOnTheCard(UndoOrder order, ScalePolicy? policy) =>
        order.Channel == ApprovalChannel.DingTalk && policy?.Spec.Approval?.Approvers is not { Count: > 0 }
        && people.Find(order.User)?.CanActIn(order.Namespace) != true
            ? $"the policy names no approvers, so only an operator in `{order.Namespace}` (ScaleControl:Auth:People) may undo its changes, and {order.User} is not one; nothing was changed"
            : null;

    /// <summary>The undo already recorded on the original, else one of it still waiting for approval.</summary>
    private async Task<ScaleProposal?> EarlierUndoAsync(ScaleProposal original, IReadOnlyCollection<ScaleProposal> sameNamespace, CancellationToken cancellationToken)
    {
        if (original.Status.Undo is { } undo)
        {
            return await store.GetAsync(original.Metadata.Namespace, undo.Proposal, cancellationToken);
        }

        return sameNamespace
            .FirstOrDefault(p => p.Status.Phase.IsOpen() && p.Metadata.Annotations?.GetValueOrDefault(ProposalFactory.UndoOfAnnotation) == original.Metadata.Name);
    }
}

/// <summary>An undo proposal that was applied marks the change it reversed as undone (its card then says so and stops offering Undo).</summary>
public sealed class UndoCompletion(IProposalStore store, ProposalWriter writer, TimeProvider time)
{
    public async Task CompleteAsync(ScaleProposal applied, CancellationToken cancellationToken)
    {
        if (applied.Status.Phase != ProposalPhase.Applied
            || ProposalFactory.ActionOf(applied) != ProposalFactory.Action.Undo
            || applied.Metadata.Annotations?.GetValueOrDefault(ProposalFactory.UndoOfAnnotation) is not { } name
            || await store.GetAsync(applied.Metadata.Namespace, name, cancellationToken) is not { } original)
        {
            return;
        }

        await writer.UpdateAsync(original, p => ProposalLifecycle.MarkUndone(p, applied, time.GetUtcNow()).IfAccepted(), cancellationToken);
    }
}
