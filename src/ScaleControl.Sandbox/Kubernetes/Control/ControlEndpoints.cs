using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace ScaleControl.Sandbox.Kubernetes.Control;

/// <summary>
/// The sandbox cluster's test hooks over HTTP (not part of the Kubernetes API), for tests that run the server as a
/// process: the request journal (what was written, e.g. scale writes per approval), fault injection, and a node's
/// kubelet stopped and started (a failed node).
/// </summary>
public static class ControlEndpoints
{
    public const string DefaultPrefix = "/sandbox/k8s-control";

    public static IEndpointRouteBuilder MapSandboxKubernetesControl(this IEndpointRouteBuilder endpoints, string prefix = DefaultPrefix)
    {
        var control = endpoints.ServiceProvider.GetRequiredService<SandboxKubernetesControl>();
        var routes = endpoints.MapGroup(prefix).WithTags("Sandbox Kubernetes control");
        routes.MapGet("/journal", (string? verb) => Results.Json(control.Journal.Where(e => verb is null || verb.Split(',').Contains(e.Verb, StringComparer.Ordinal))))
            .WithSummary("Requests the sandbox API served, oldest first (filter: verb=create,update,patch)");
        routes.MapDelete("/journal", () =>
        {
            control.ClearJournal();
            return Results.NoContent();
        }).WithSummary("Forget the requests served so far");
        routes.MapPost("/faults", (SandboxFault fault) =>
        {
            control.InjectFault(fault);
            return Results.Json(fault);
        }).WithSummary("Fail or slow matching requests");
        routes.MapDelete("/faults", () =>
        {
            control.ClearFaults();
            return Results.NoContent();
        }).WithSummary("Remove every injected fault");
        routes.MapPost("/watches/drop", () =>
        {
            control.DropWatches();
            return Results.NoContent();
        }).WithSummary("Close every open watch without an event (a dropped connection)");
        routes.MapPost("/watches/expire", () =>
        {
            control.ExpireWatches();
            return Results.NoContent();
        }).WithSummary("End every open watch with ERROR 410 Expired and forget the history (resuming gets 410 Gone)");
        routes.MapPost("/nodes/{name}/kubelet/stop", (string name) => control.StopKubelet(name)
                ? Results.NoContent()
                : Results.Problem($"no node {ScaleControl.Core.Text.ShownText.Cut(name, 64)}", statusCode: 404))
            .WithSummary("Stop the node's kubelet: 50 s later the node is NotReady (Unknown) and tainted unreachable");
        routes.MapPost("/nodes/{name}/kubelet/start", (string name) => control.StartKubelet(name)
                ? Results.NoContent()
                : Results.Problem($"no node {ScaleControl.Core.Text.ShownText.Cut(name, 64)}", statusCode: 404))
            .WithSummary("Start the node's kubelet again: it posts Ready, and the node's taints go");
        return endpoints;
    }
}
