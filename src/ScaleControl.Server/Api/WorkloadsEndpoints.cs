using Microsoft.AspNetCore.Http.HttpResults;
using ScaleControl.Core.Policies;
using ScaleControl.Core.Proposals;
using ScaleControl.Server.Auth;
using ScaleControl.Server.Control;

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

    public static async Task<Results<Ok<ScalePolicy>, ProblemHttpResult>> Pin(
        OverrideService overrides, HttpContext http, string ns, string name, PinRequest request, CancellationToken cancellationToken) =>
        Problems.From(await overrides.PinAsync(ns, name, request.Replicas, request.DurationSeconds, request.Reason, Caller.FromPrincipal(http.User).User, ApprovalChannel.Api, cancellationToken));

    public static async Task<Results<Ok<ScalePolicy>, ProblemHttpResult>> Unpin(
        OverrideService overrides, HttpContext http, string ns, string name, CancellationToken cancellationToken) =>
        Problems.From(await overrides.UnpinAsync(ns, name, Caller.FromPrincipal(http.User).User, ApprovalChannel.Api, cancellationToken));
}
