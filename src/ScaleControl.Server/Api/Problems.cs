using Microsoft.AspNetCore.Http.HttpResults;
using ScaleControl.Core.Policies;
using ScaleControl.Server.Control.Overrides;

namespace ScaleControl.Server.Api;

/// <summary>The API's ProblemDetails, each with a specific title and detail.</summary>
public static class Problems
{
    public static ProblemHttpResult PolicyNotFound(string ns, string name) =>
        TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "Policy not found", detail: $"ScalePolicy {ns}/{name} does not exist");

    public static ProblemHttpResult ProposalNotFound(string ns, string name) =>
        TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "Proposal not found", detail: $"ScaleProposal {ns}/{name} does not exist");

    /// <summary>A second policy for a workload another policy controls (<see cref="TargetOwnership"/>); <c>policy</c> names the owner.</summary>
    public static ProblemHttpResult WorkloadControlled(ScalePolicy candidate, ScalePolicy owner) =>
        TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: "Workload already has a ScalePolicy",
            detail: TargetOwnership.Refusal(candidate, owner), extensions: new Dictionary<string, object?> { ["policy"] = owner.Key });

    public static Results<Ok<ScalePolicy>, ProblemHttpResult> From(OverrideResult result) =>
        result.Policy is { } policy
            ? TypedResults.Ok(policy)
            : TypedResults.Problem(statusCode: result.Status, title: result.Status == StatusCodes.Status404NotFound ? "Not found" : "Override refused", detail: result.Problem);
}
