using Microsoft.AspNetCore.Http.HttpResults;
using ScaleControl.Server.Auth;
using ScaleControl.Server.Control.Overrides;

namespace ScaleControl.Server.Api;

/// <summary>
/// <c>/api/v1/policies/{ns}/{name}/expected-events</c>: announce traffic ahead (a push, a kick-off) so the policy
/// raises a floor before it arrives; cancel an announcement. The events are visible on the policy's spec.
/// </summary>
public static class ExpectedEventsEndpoints
{
    public static RouteGroupBuilder MapExpectedEventsEndpoints(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/api/v1/policies/{ns}/{name}/expected-events").WithTags("Overrides")
            .RequireAuthorization(AccessPolicies.Operator).AddEndpointFilter<NamespaceAccessFilter>();

        group.MapPost("/", Prepare).WithName(nameof(Prepare)).WithSummary("Record an expected event: a replica floor from its lead before 'at' until it ends.")
            .Validate<PrepareRequest>();
        group.MapDelete("/{event}", CancelExpectedEvent).WithName(nameof(CancelExpectedEvent)).WithSummary("Cancel an expected event.");
        return group;
    }

    public static async Task<Results<Ok<PreparedEvent>, ValidationProblem, ProblemHttpResult>> Prepare(
        PreparationService preparation, HttpContext http, string ns, string name, PrepareRequest request, CancellationToken cancellationToken) =>
        Answer(await preparation.PrepareAsync(ns, name, request, Caller.FromPrincipal(http.User).User, ProposalsEndpoints.ChannelOf(http), cancellationToken));

    public static async Task<Results<Ok<PreparedEvent>, ValidationProblem, ProblemHttpResult>> CancelExpectedEvent(
        PreparationService preparation, HttpContext http, string ns, string name, string @event, CancellationToken cancellationToken) =>
        Answer(await preparation.CancelAsync(ns, name, @event, Caller.FromPrincipal(http.User).User, ProposalsEndpoints.ChannelOf(http), cancellationToken));

    /// <summary>A refusal about one request field (a time too far ahead, replicas above max) is keyed by it like any validation error.</summary>
    private static Results<Ok<PreparedEvent>, ValidationProblem, ProblemHttpResult> Answer(PrepareResult result) => result switch
    {
        { Policy: { } policy, Event: { } expected } => TypedResults.Ok(new PreparedEvent(policy.Key, expected, result.Message)),
        { Field: { } field } => TypedResults.ValidationProblem(new Dictionary<string, string[]> { [field] = [result.Message] }, title: "Expected event refused"),
        _ => TypedResults.Problem(
            statusCode: result.Status,
            title: result.Status == StatusCodes.Status404NotFound ? "Not found" : "Expected event refused",
            detail: result.Message),
    };
}

/// <summary>The answer: which policy, the event as stored, and one line saying what will happen.</summary>
public sealed record PreparedEvent(string Policy, Core.Policies.ExpectedEventSpec Event, string Message);
