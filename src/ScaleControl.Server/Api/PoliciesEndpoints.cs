using System.ComponentModel;
using Microsoft.AspNetCore.Http.HttpResults;
using ScaleControl.Core.Decisions;
using ScaleControl.Core.Policies;
using ScaleControl.Core.Ports;
using ScaleControl.Core.Proposals;
using ScaleControl.Core.Signals;
using ScaleControl.Server.Auth;
using ScaleControl.Server.Control;
using ScaleControl.Server.Control.Loop;
using ScaleControl.Server.Control.Overrides;
using ScaleControl.Server.Control.Queries;

namespace ScaleControl.Server.Api;

/// <summary><c>/api/v1/policies</c>: read and write ScalePolicies, dry-run them, replay history, freeze them.</summary>
public static class PoliciesEndpoints
{
    public static RouteGroupBuilder MapPoliciesEndpoints(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/api/v1/policies").WithTags("Policies").RequireAuthorization(AccessPolicies.Viewer);

        group.MapGet("/", ListPolicies).WithName(nameof(ListPolicies)).WithSummary("List policies (all namespaces or one).");
        group.MapGet("/{ns}/{name}", GetPolicy).WithName(nameof(GetPolicy)).WithSummary("Get one policy with its status.");
        group.MapPut("/{ns}/{name}", PutPolicy).WithName(nameof(PutPolicy)).WithSummary("Create or replace a policy.")
            .RequireAuthorization(AccessPolicies.Admin)
            .AddEndpointFilter(FillMetadataFromRoute)
            .Validate<ScalePolicy>();
        group.MapDelete("/{ns}/{name}", DeletePolicy).WithName(nameof(DeletePolicy)).WithSummary("Delete a policy.")
            .RequireAuthorization(AccessPolicies.Admin);
        group.MapPost("/validate", ValidatePolicy).WithName(nameof(ValidatePolicy)).WithSummary("Validate a policy without storing it.")
            .Validate<ScalePolicy>();
        group.MapPost("/{ns}/{name}/evaluate", EvaluatePolicy).WithName(nameof(EvaluatePolicy)).WithSummary("Decide now, as a dry run; nothing is applied.");
        group.MapPost("/{ns}/{name}/whatif", WhatIf).WithName(nameof(WhatIf)).WithSummary("Replay recent metric history through the policy in simulated time.")
            .Validate<WhatIfRequest>().LimitedAsReplay();
        group.MapPost("/{ns}/{name}/freeze", Freeze).WithName(nameof(Freeze)).WithSummary("Freeze the policy: the loop changes nothing until it expires.")
            .RequireAuthorization(AccessPolicies.Operator).AddEndpointFilter<NamespaceAccessFilter>()
            .Validate<FreezeRequest>();
        group.MapDelete("/{ns}/{name}/freeze", Unfreeze).WithName(nameof(Unfreeze)).WithSummary("Lift a freeze now.")
            .RequireAuthorization(AccessPolicies.Operator).AddEndpointFilter<NamespaceAccessFilter>();
        return group;
    }

    public static async Task<Ok<IReadOnlyList<ScalePolicy>>> ListPolicies(IPolicyStore store, [Description("Only this namespace")] string? @namespace, CancellationToken cancellationToken) =>
        TypedResults.Ok(await store.ListAsync(string.IsNullOrEmpty(@namespace) ? null : @namespace, cancellationToken));

    public static async Task<Results<Ok<ScalePolicy>, ProblemHttpResult>> GetPolicy(IPolicyStore store, string ns, string name, CancellationToken cancellationToken) =>
        await store.GetAsync(ns, name, cancellationToken) is { } policy ? TypedResults.Ok(policy) : Problems.PolicyNotFound(ns, name);

    public static async Task<Results<Ok<ScalePolicy>, Created<ScalePolicy>, ValidationProblem, ProblemHttpResult>> PutPolicy(
        IPolicyStore store, string ns, string name, ScalePolicy policy, CancellationToken cancellationToken)
    {
        if (policy.Spec.Follow is not null && FollowGraph.CycleWith(await store.ListAsync(null, cancellationToken), policy) is { } cycle)
        {
            return TypedResults.ValidationProblem(
                new Dictionary<string, string[]> { ["spec.follow.workload"] = [$"following {policy.Spec.Follow.Workload} would close a follow cycle ({cycle}); a chain must end at a workload sized by metrics."] },
                title: "The ScalePolicy would close a follow cycle");
        }

        var existing = await store.GetAsync(ns, name, cancellationToken);
        // Judged with the age it has in the store: an edit of the policy that owns the workload goes through.
        var candidate = policy with { Metadata = policy.Metadata with { CreationTimestamp = existing?.Metadata.CreationTimestamp } };
        if (await store.HeldByAsync(candidate, cancellationToken) is { } owner)
        {
            return Problems.WorkloadControlled(candidate, owner);
        }

        for (var attempt = 1; ; attempt++)
        {
            try
            {
                var kept = policy.Metadata with { Annotations = OverrideRecords.Kept(policy.Metadata.Annotations, existing?.Metadata.Annotations) };
                var stored = await store.UpsertAsync(policy with { Metadata = kept, Status = existing?.Status }, cancellationToken);
                return existing is null ? TypedResults.Created($"/api/v1/policies/{ns}/{name}", stored) : TypedResults.Ok(stored);
            }
            catch (ConcurrencyConflictException ex)
            {
                // Moved only by the loop's status writes since the client read it: nothing for the client to resolve.
                if (attempt < StatusOnlyAttempts && await store.GetCurrentAsync(ns, name, cancellationToken) is { } current && StatusOnlyMove.Since(policy, current))
                {
                    existing = current;
                    policy = policy with { Metadata = policy.Metadata with { ResourceVersion = current.Metadata.ResourceVersion } };
                    continue;
                }

                return TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: "Policy changed", detail: $"{ex.Message}; read it again and resend (or omit metadata.resourceVersion)");
            }
        }
    }

    /// <summary>How often a replace whose resourceVersion only status writes moved is tried on the current one.</summary>
    private const int StatusOnlyAttempts = 4;

    public static async Task<Results<NoContent, ProblemHttpResult>> DeletePolicy(IPolicyStore store, string ns, string name, CancellationToken cancellationToken) =>
        await store.DeleteAsync(ns, name, cancellationToken) ? TypedResults.NoContent() : Problems.PolicyNotFound(ns, name);

    public static Ok<ValidationAnswer> ValidatePolicy(ScalePolicy policy) => TypedResults.Ok(new ValidationAnswer(true));

    public static async Task<Results<Ok<Decision>, ProblemHttpResult>> EvaluatePolicy(
        IPolicyStore store, PolicyEvaluator evaluator, string ns, string name, CancellationToken cancellationToken)
    {
        if (await store.GetAsync(ns, name, cancellationToken) is not { } policy)
        {
            return Problems.PolicyNotFound(ns, name);
        }

        var evaluation = await evaluator.DryRunAsync(policy, cancellationToken);
        return evaluation.Decision is { } decision
            ? TypedResults.Ok(decision)
            : TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: "Cannot evaluate", detail: evaluation.Problem);
    }

    public static async Task<Results<Ok<WhatIfResult>, ProblemHttpResult>> WhatIf(
        IPolicyStore store, WhatIfSimulator simulator, string ns, string name, WhatIfRequest request, CancellationToken cancellationToken)
    {
        if (await store.GetAsync(ns, name, cancellationToken) is not { } policy)
        {
            return Problems.PolicyNotFound(ns, name);
        }

        try
        {
            return TypedResults.Ok(await simulator.RunAsync(policy, request.FromSeconds, request.StepSeconds, request.ApprovalDelaySeconds, cancellationToken, request.To));
        }
        catch (MetricQueryException e)
        {
            // A query the metric source refuses is the policy's to fix (422); a source that is down is not (503).
            return e.Status == MetricStatus.Unavailable
                ? TypedResults.Problem(statusCode: StatusCodes.Status503ServiceUnavailable, title: "Metric source unavailable", detail: e.Message)
                : TypedResults.Problem(statusCode: StatusCodes.Status422UnprocessableEntity, title: "Cannot replay", detail: e.Message);
        }
    }

    public static async Task<Results<Ok<ScalePolicy>, ProblemHttpResult>> Freeze(
        OverrideService overrides, HttpContext http, string ns, string name, FreezeRequest request, CancellationToken cancellationToken) =>
        Problems.From(ApiWarnings.Add(http, await IdempotencyKeys.WithKeyAsync(http, key =>
            overrides.FreezeAsync(ns, name, request.DurationSeconds, request.Reason, Caller.FromPrincipal(http.User).User, ProposalsEndpoints.ChannelOf(http), cancellationToken, key))));

    public static async Task<Results<Ok<ScalePolicy>, ProblemHttpResult>> Unfreeze(
        OverrideService overrides, HttpContext http, string ns, string name, CancellationToken cancellationToken) =>
        Problems.From(ApiWarnings.Add(http, await IdempotencyKeys.WithKeyAsync(http, key =>
            overrides.UnfreezeAsync(ns, name, Caller.FromPrincipal(http.User).User, ProposalsEndpoints.ChannelOf(http), cancellationToken, key))));

    /// <summary>The route names the policy; an empty metadata name/namespace is filled from it, a different one is a 400.</summary>
    private static async ValueTask<object?> FillMetadataFromRoute(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var ns = (string)context.HttpContext.GetRouteValue("ns")!;
        var name = (string)context.HttpContext.GetRouteValue("name")!;
        for (var i = 0; i < context.Arguments.Count; i++)
        {
            if (context.Arguments[i] is not ScalePolicy policy)
            {
                continue;
            }

            var errors = new Dictionary<string, string[]>();
            if (policy.Metadata.Name.Length > 0 && policy.Metadata.Name != name)
            {
                errors["metadata.name"] = [$"metadata.name '{policy.Metadata.Name}' does not match the route's '{name}'."];
            }

            // ObjectMeta defaults Namespace to "default": only a namespace that was clearly meant differently is refused.
            if (policy.Metadata.Namespace.Length > 0 && policy.Metadata.Namespace != ns && policy.Metadata.Namespace != "default")
            {
                errors["metadata.namespace"] = [$"metadata.namespace '{policy.Metadata.Namespace}' does not match the route's '{ns}'."];
            }

            if (errors.Count > 0)
            {
                return TypedResults.ValidationProblem(errors, title: "The ScalePolicy does not match the route");
            }

            context.Arguments[i] = policy with { Metadata = policy.Metadata with { Name = name, Namespace = ns } };
        }

        return await next(context);
    }
}

public sealed record ValidationAnswer(bool Valid);
