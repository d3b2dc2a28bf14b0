using Microsoft.AspNetCore.Http.HttpResults;
using ScaleControl.Core.Ports;
using ScaleControl.Core.Proposals;
using ScaleControl.Server.Auth;
using ScaleControl.Server.Control.Actuation;

namespace ScaleControl.Server.Api;

/// <summary>
/// <c>"allRows": true</c> on approve/reject: which card is meant, and whether the caller may decide all of it. A card's
/// rows may span namespaces; the route's <c>{ns}</c> is checked by <see cref="NamespaceAccessFilter"/>, every other
/// pending row's namespace here, before anything is decided (as the chat's <c>approve all</c> does).
/// </summary>
public static class CardRowsAccess
{
    /// <summary>
    /// The proposal named <paramref name="name"/>, or else the newest pending proposal for a workload of that name, so
    /// <c>scalectl approve --all feed/feed-api</c> works from what the chat and the card show; null when neither exists.
    /// </summary>
    public static async Task<ScaleProposal?> FindAsync(IProposalStore store, string ns, string name, CancellationToken cancellationToken) =>
        await store.GetAsync(ns, name, cancellationToken)
        ?? (await store.ListAsync(ns, cancellationToken))
            .Where(p => p.Spec.Target.Name == name && p.Status.Phase == ProposalPhase.Pending)
            .OrderByDescending(ProposalFactory.CreatedAt)
            .FirstOrDefault();

    /// <summary>403 naming the first namespace of a pending row the caller may not act in; null when they may act in all.</summary>
    public static async Task<ProblemHttpResult?> ForbiddenAsync(Announcer announcer, Caller caller, ScaleProposal proposal, CancellationToken cancellationToken)
    {
        var rows = await announcer.CardRowsAsync(proposal, cancellationToken);
        return rows.Where(r => r.Status.Phase == ProposalPhase.Pending).Select(r => r.Metadata.Namespace).Distinct(StringComparer.Ordinal)
            .FirstOrDefault(n => !caller.CanActIn(n)) is { } outside
            ? TypedResults.Problem(
                statusCode: StatusCodes.Status403Forbidden,
                title: "Forbidden",
                detail: $"{caller.User} ({caller.Role.ToString().ToLowerInvariant()}) may not act in namespace '{outside}': a pending row of this card is there. Nothing was changed.")
            : null;
    }
}
