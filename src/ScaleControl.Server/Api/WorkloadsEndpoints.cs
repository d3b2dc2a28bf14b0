using Microsoft.AspNetCore.Http.HttpResults;
using ScaleControl.Core.Policies;
using ScaleControl.Core.Proposals;
using ScaleControl.Server.Auth;
using ScaleControl.Server.Control.Overrides;

namespace ScaleControl.Server.Api;

/// <summary><c>/api/v1/workloads</c>: pin a workload's replicas for a while (the policy holds them and resumes afterwards).</summary>
public static class WorkloadsEndpoints
{
    public static RouteGroupBuilder MapWorkloadsEndpoints(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/api/v1/workloads").WithTags("Overrides")
            .RequireAuthorization(AccessPolicies.Operator).AddEndpointFilter<NamespaceAccessFilter>();

        group.MapPost("/{ns}/{name}/pin", Pin).WithName(nameof(Pin)).WithSummary("Pin the replicas of the workload's policy target and scale now.")
            .Validate<PinRequest>();
        group.MapDelete("/{ns}/{name}/pin", Unpin).WithName(nameof(Unpin)).WithSummary("Remove the pin; the policy decides again.");
        return group;
    }

    /// <summary>
    /// 200 with the pinned policy when the caller is on the policy's approver roster (or it has none) and no second
    /// approver is needed; otherwise 202 with the Pending pin proposal an approver must approve.
    /// </summary>
    public static async Task<Results<Ok<ScalePolicy>, Accepted<ScaleProposal>, ValidationProblem, ProblemHttpResult>> Pin(
        OverrideService overrides, HttpContext http, string ns, string name, PinRequest request, CancellationToken cancellationToken)
    {
        var order = new PinOrder(ns, name, request.Replicas!.Value, request.DurationSeconds, request.Reason, Caller.FromPrincipal(http.User).User,
            ProposalsEndpoints.ChannelOf(http), request.AllowOutsideBounds);
        var result = ApiWarnings.Add(http, await overrides.PinAsync(order, cancellationToken)); // the pin went through, with a caveat

        return result switch
        {
            { Proposal: { } proposal } => TypedResults.Accepted($"/api/v1/proposals/{proposal.Metadata.Namespace}/{proposal.Metadata.Name}", proposal),
            { Field: { } field } => TypedResults.ValidationProblem(new Dictionary<string, string[]> { [field] = [result.Problem ?? "invalid"] }, title: "The PinRequest is invalid"),
            _ => Problems.From(result).Result switch
            {
                Ok<ScalePolicy> ok => ok,
                ProblemHttpResult problem => problem,
                _ => throw new InvalidOperationException("unexpected override result"),
            },
        };
    }

    public static async Task<Results<Ok<ScalePolicy>, ProblemHttpResult>> Unpin(
        OverrideService overrides, HttpContext http, string ns, string name, CancellationToken cancellationToken) =>
        Problems.From(ApiWarnings.Add(http, await IdempotencyKeys.WithKeyAsync(http, key =>
            overrides.UnpinAsync(ns, name, Caller.FromPrincipal(http.User).User, ProposalsEndpoints.ChannelOf(http), cancellationToken, key))));
}
