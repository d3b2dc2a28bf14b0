using Microsoft.AspNetCore.Http.HttpResults;
using ScaleControl.Core.Ports;
using ScaleControl.Core.Proposals;
using System.Text.Json.Serialization;
using ScaleControl.Server.Auth;
using ScaleControl.Server.Control.Actuation;
using ScaleControl.Server.Control.Overrides;
using ScaleControl.Server.Security;

namespace ScaleControl.Server.Api;

/// <summary>The answer to an approve/reject call that was counted (or was a harmless repeat); <see cref="Rows"/> only with <c>allRows</c>.</summary>
public sealed record DecisionAnswer(
    string Result,
    string Message,
    ScaleProposal? Proposal,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] IReadOnlyList<RowAnswer>? Rows = null);

/// <summary>One row of a group card decided with <c>allRows</c>: the row's proposal and workload, its step, and what became of it.</summary>
public sealed record RowAnswer(string Proposal, string Workload, int FromReplicas, int ToReplicas, ProposalPhase Phase, string Result, string Message)
{
    public static RowAnswer Of(CardRowResult row)
    {
        var now = row.Result.Proposal ?? row.Row;
        return new RowAnswer(row.Row.Key, $"{row.Row.Metadata.Namespace}/{row.Row.Spec.Target.Name}", now.Spec.FromReplicas, now.Spec.ToReplicas,
            now.Status.Phase, row.Result.Kind.ToString(), row.Result.Message);
    }
}

/// <summary><c>/api/v1/proposals</c>: list, read, approve and reject — through the same inbox as DingTalk taps.</summary>
public static class ProposalsEndpoints
{
    public static RouteGroupBuilder MapProposalsEndpoints(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/api/v1/proposals").WithTags("Proposals").RequireAuthorization(AccessPolicies.Viewer);

        group.MapGet("/", ListProposals).WithName(nameof(ListProposals)).WithSummary("List proposals, newest first.");
        group.MapGet("/{ns}/{name}", GetProposal).WithName(nameof(GetProposal)).WithSummary("Get one proposal and its audit trail.");
        group.MapPost("/{ns}/{name}/approve", Approve).WithName(nameof(Approve)).WithSummary("Approve (optionally the offered alternative replicas).")
            .RequireAuthorization(AccessPolicies.Operator).AddEndpointFilter<NamespaceAccessFilter>()
            .Validate<ApproveRequest>();
        group.MapPost("/{ns}/{name}/reject", Reject).WithName(nameof(Reject)).WithSummary("Reject with a reason.")
            .RequireAuthorization(AccessPolicies.Operator).AddEndpointFilter<NamespaceAccessFilter>()
            .Validate<RejectRequest>();
        group.MapPost("/{ns}/{name}/undo", Undo).WithName(nameof(Undo)).WithSummary("Take an applied change back to the replicas before it (applied at once for an approver, else proposed).")
            .RequireAuthorization(AccessPolicies.Operator).AddEndpointFilter<NamespaceAccessFilter>()
            .Validate<UndoRequest>();
        return group;
    }

    public static async Task<Ok<List<ScaleProposal>>> ListProposals(
        IProposalStore store, string? @namespace, ProposalPhase? phase, string? policy, CancellationToken cancellationToken)
    {
        var all = await store.ListAsync(string.IsNullOrEmpty(@namespace) ? null : @namespace, cancellationToken);
        return TypedResults.Ok(all
            .Where(p => phase is null || p.Status.Phase == phase)
            .Where(p => string.IsNullOrEmpty(policy) || p.Spec.PolicyName == policy)
            .OrderByDescending(ProposalFactory.CreatedAt)
            .ToList());
    }

    /// <summary>The proposal, and whether ScaleControl recorded each approval and the rejection on it (<see cref="ProposalView"/>).</summary>
    public static async Task<Results<Ok<ProposalView>, ProblemHttpResult>> GetProposal(
        IProposalStore store, ApprovalSigner signer, string ns, string name, CancellationToken cancellationToken) =>
        await store.GetAsync(ns, name, cancellationToken) is { } proposal ? TypedResults.Ok(ProposalView.Of(proposal, signer)) : Problems.ProposalNotFound(ns, name);

    public static Task<Results<Ok<DecisionAnswer>, ProblemHttpResult>> Approve(
        IApprovalInbox inbox, IProposalStore store, Announcer announcer, HttpContext http, string ns, string name, ApproveRequest? request, CancellationToken cancellationToken) =>
        DecideAsync(inbox, store, announcer, http,
            new ApprovalCommand(ns, name, Caller.FromPrincipal(http.User).User, ChannelOf(http), Approve: true, Replicas: request?.Replicas, AllRows: request?.AllRows == true), cancellationToken);

    public static Task<Results<Ok<DecisionAnswer>, ProblemHttpResult>> Reject(
        IApprovalInbox inbox, IProposalStore store, Announcer announcer, HttpContext http, string ns, string name, RejectRequest? request, CancellationToken cancellationToken) =>
        DecideAsync(inbox, store, announcer, http,
            new ApprovalCommand(ns, name, Caller.FromPrincipal(http.User).User, ChannelOf(http), Approve: false, Reason: request?.Reason ?? "", AllRows: request?.AllRows == true), cancellationToken);

    /// <summary>
    /// 200 with the applied undo, 202 with the undo proposal awaiting approval, 409 when refused (stale, bounds, freeze…).
    /// <paramref name="name"/> may name the workload: its newest applied change, as the chat's <c>undo ns/workload</c>.
    /// </summary>
    public static async Task<Results<Ok<DecisionAnswer>, Accepted<DecisionAnswer>, ProblemHttpResult>> Undo(
        IUndoInbox inbox, IProposalStore store, HttpContext http, string ns, string name, UndoRequest? request, CancellationToken cancellationToken)
    {
        var found = await UndoTargets.FindAsync(store, ns, name, cancellationToken);
        if (found.IsAnUndo)
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: "Refused",
                detail: $"the latest change of {ns}/{name} is already an undo: {found.UndoText()}; nothing was changed. To take that undo back, name it: {ns}/{found.Proposal!.Metadata.Name}");
        }

        var channel = ChannelOf(http);
        var reason = string.IsNullOrWhiteSpace(request?.Reason) ? $"undo via {channel.ToString().ToLowerInvariant()}" : request.Reason;
        var meant = found.Proposal?.Metadata.Name ?? name;
        var result = await inbox.UndoAsync(new UndoOrder(ns, meant, Caller.FromPrincipal(http.User).User, channel, reason), cancellationToken);
        var answer = new DecisionAnswer(result.Kind.ToString(), result.Message, result.Proposal);
        return result.Kind switch
        {
            UndoResultKind.Applied => TypedResults.Ok(answer),
            UndoResultKind.Proposed => TypedResults.Accepted((string?)null, answer),
            UndoResultKind.NotFound => Problems.ProposalNotFound(ns, name),
            _ => TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: "Refused", detail: result.Message),
        };
    }

    private static async Task<Results<Ok<DecisionAnswer>, ProblemHttpResult>> DecideAsync(
        IApprovalInbox inbox, IProposalStore store, Announcer announcer, HttpContext http, ApprovalCommand command, CancellationToken cancellationToken)
    {
        if (command.AllRows)
        {
            if (await CardRows.FindAsync(store, command.Namespace, command.ProposalName, wholeCard: true, cancellationToken) is not { } card)
            {
                return await NotFoundAsync(store, command, cancellationToken);
            }

            // The route's {ns} is checked by NamespaceAccessFilter; every other pending row's namespace here, before anything is decided.
            var caller = Caller.FromPrincipal(http.User);
            var pending = await CardRows.PendingAsync(announcer, card, cancellationToken);
            if (CardRows.Outside(pending, caller) is { } outside)
            {
                return TypedResults.Problem(statusCode: StatusCodes.Status403Forbidden, title: "Forbidden",
                    detail: $"{caller.User} ({caller.Role.ToString().ToLowerInvariant()}) may not act in namespace '{outside}': a pending row of this card is there. Nothing was changed.");
            }

            command = command with { ProposalName = card.Metadata.Name, SeenRows = CardRows.Checked(pending) };
        }
        else if (await CardRows.FindAsync(store, command.Namespace, command.ProposalName, wholeCard: false, cancellationToken) is { } proposal)
        {
            // {name} may name the workload: its pending proposal, as the chat's `approve ns/workload`.
            command = command with { ProposalName = proposal.Metadata.Name };
        }

        var result = await inbox.DecideAsync(command, cancellationToken);
        return result.Kind switch
        {
            ApprovalResultKind.Accepted or ApprovalResultKind.Duplicate => TypedResults.Ok(new DecisionAnswer(
                result.Kind.ToString(),
                command.AllRows || result.Proposal is null ? result.Message : result.Message + await OtherRowsAsync(announcer, result.Proposal, command.Approve, cancellationToken),
                result.Proposal,
                result.Rows?.Select(RowAnswer.Of).ToList())),
            ApprovalResultKind.NotFound => await NotFoundAsync(store, command, cancellationToken),
            _ => TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: "Refused", detail: result.Message),
        };
    }

    /// <summary>
    /// No proposal by that name, nor a pending one of a workload so named. A workload whose newest proposal a person
    /// decided meanwhile (a card tap won the race) is told who, as chat tells it: 409, not "ScaleProposal
    /// shop/checkout-api does not exist", which read as a typo while the workload had just been scaled.
    /// </summary>
    private static async Task<ProblemHttpResult> NotFoundAsync(IProposalStore store, ApprovalCommand command, CancellationToken cancellationToken) =>
        await CardRows.DecidedAsync(store, command.Namespace, command.ProposalName, cancellationToken) is var (newest, by)
            ? TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: "Already decided",
                detail: $"workload {command.Namespace}/{command.ProposalName} has no pending proposal: {newest.Metadata.Name} was already {by} ({newest.Status.Phase}); nothing was changed")
            : TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "Proposal not found",
                // The id may name a workload too: say both were looked for, and where the pending ones are listed.
                detail: $"ScaleProposal {command.Namespace}/{command.ProposalName} does not exist, and no workload of that name has a pending proposal; nothing was changed (scalectl get proposals -n {command.Namespace} --phase Pending lists them)");

    /// <summary>A row decided alone on a card with other rows still waiting says how to decide them all, as the chat does.</summary>
    private static async Task<string> OtherRowsAsync(Announcer announcer, ScaleProposal decided, bool approve, CancellationToken cancellationToken)
    {
        var waiting = await CardRows.OthersWaitingAsync(announcer, decided, cancellationToken);
        var all = $"--all {decided.Metadata.Namespace}/{decided.Spec.Target.Name}";
        var command = approve ? $"scalectl approve {all}" : $"scalectl reject {all} --reason TEXT";
        return waiting == 0 ? "" : $"; {waiting} more {(waiting == 1 ? "row waits" : "rows wait")} on this card: {command}";
    }

    /// <summary>scalectl identifies itself by its User-Agent; every other client counts as the API channel.</summary>
    internal static ApprovalChannel ChannelOf(HttpContext http) =>
        http.Request.Headers.UserAgent.ToString().StartsWith("scalectl", StringComparison.OrdinalIgnoreCase) ? ApprovalChannel.Cli : ApprovalChannel.Api;

}
