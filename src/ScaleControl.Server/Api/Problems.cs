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

    public static Results<Ok<ScalePolicy>, ProblemHttpResult> From(OverrideResult result) =>
        result.Policy is { } policy
            ? TypedResults.Ok(policy)
            : TypedResults.Problem(statusCode: result.Status, title: result.Status == StatusCodes.Status404NotFound ? "Not found" : "Override refused", detail: result.Problem);
}
