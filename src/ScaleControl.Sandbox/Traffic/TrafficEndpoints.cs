using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using ScaleControl.Sandbox.Traffic.PrometheusApi;
using ScaleControl.Simulation;

namespace ScaleControl.Sandbox.Traffic;

/// <summary>
/// The traffic simulator's HTTP surface: hot events, push campaigns, replays, the services' state, the scrape endpoint and the
/// Prometheus-compatible query API.
/// </summary>
public static class TrafficEndpoints
{
    public static IEndpointRouteBuilder MapSandboxTraffic(this IEndpointRouteBuilder endpoints)
    {
        var traffic = endpoints.MapGroup("/sandbox/traffic").WithTags("Sandbox traffic");
        traffic.MapPost("/hot-events", StartHotEvent).WithName("StartHotEvent").WithSummary("Start a hot event on a service");
        traffic.MapGet("/hot-events", ListHotEvents).WithName("ListHotEvents").WithSummary("Running and recent hot events");
        traffic.MapDelete("/hot-events/{id}", EndHotEvent).WithName("EndHotEvent").WithSummary("End a hot event now: the demand is back to the baseline");
        traffic.MapPost("/pushes", StartPushCampaign).WithName("StartPushCampaign").WithSummary("Send a push to N users: pushes counted now, the opens follow");
        traffic.MapGet("/pushes", ListPushCampaigns).WithName("ListPushCampaigns").WithSummary("Running and recent push campaigns");
        traffic.MapGet("/services", ListServices).WithName("ListTrafficServices").WithSummary("Demand, served, errors and latency per service");
        traffic.MapGet("/traces", ListTraces).WithName("ListTraces").WithSummary("Traces that can be replayed");
        traffic.MapPost("/replays", StartReplay).WithName("StartReplay").WithSummary("Replay a trace as a service's demand");

        endpoints.MapGet("/sandbox/metrics", ScrapeMetrics).WithTags("Sandbox traffic").WithName("SandboxMetrics")
            .WithSummary("Prometheus text exposition of the simulated traffic");
        endpoints.MapSandboxPrometheusApi();
        return endpoints;
    }

    public static Results<Created<HotEventView>, ValidationProblem, ProblemHttpResult> StartHotEvent(HotEventRequest request, TrafficSimulator simulator, TimeProvider time)
    {
        var errors = request.Validate(simulator.HasService);
        if (errors.Count > 0)
            return TypedResults.ValidationProblem(errors);

        if (simulator.StartHotEvent(request) is not { } hotEvent)
        {
            return TypedResults.Problem(
                $"{TrafficSimulator.MaxRunningHotEvents} hot events are running already; end one (DELETE /sandbox/traffic/hot-events/{{id}}) or wait",
                statusCode: StatusCodes.Status409Conflict, title: "Too many hot events");
        }

        return TypedResults.Created($"/sandbox/traffic/hot-events/{hotEvent.Id}", HotEventView.From(hotEvent, time.GetUtcNow()));
    }

    public static Results<Ok<HotEventView>, NotFound> EndHotEvent(string id, TrafficSimulator simulator, TimeProvider time) =>
        simulator.EndHotEvent(id) is { } ended ? TypedResults.Ok(HotEventView.From(ended, time.GetUtcNow())) : TypedResults.NotFound();

    public static Ok<HotEventView[]> ListHotEvents(TrafficSimulator simulator, TimeProvider time)
    {
        var now = time.GetUtcNow();
        return TypedResults.Ok(simulator.HotEvents().Select(e => HotEventView.From(e, now)).ToArray());
    }

    public static Results<Created<PushCampaignView>, ValidationProblem, ProblemHttpResult> StartPushCampaign(
        PushCampaignRequest request, TrafficSimulator simulator, TrafficTraceLibrary traces, TimeProvider time)
    {
        var errors = request.Validate(simulator.HasService);
        var name = string.IsNullOrWhiteSpace(request.Trace) ? PushCampaignRequest.DefaultTrace : request.Trace;
        PushShape? shape = null;
        try
        {
            if (errors.ContainsKey("trace"))
                return TypedResults.ValidationProblem(errors);

            var trace = traces.Find(name);
            if (trace is null)
                errors["trace"] = [$"unknown trace '{name}'; known: {string.Join(", ", traces.Names())}"];
            else if ((shape = PushShape.From(trace, out var problem)) is null)
                errors["trace"] = [problem!];
        }
        catch (FormatException e)
        {
            errors["trace"] = [e.Message];
        }

        if (errors.Count > 0)
            return TypedResults.ValidationProblem(errors);

        var campaign = simulator.StartPushCampaign(request.Namespace!, request.Workload!, (long)request.Recipients!.Value, shape!);
        if (campaign is null)
        {
            return TypedResults.Problem(
                $"{TrafficSimulator.MaxRunningPushCampaigns} push campaigns are running already; wait for one to end",
                statusCode: StatusCodes.Status409Conflict, title: "Too many push campaigns");
        }

        return TypedResults.Created("/sandbox/traffic/pushes", PushCampaignView.From(campaign, time.GetUtcNow()));
    }

    public static Ok<PushCampaignView[]> ListPushCampaigns(TrafficSimulator simulator, TimeProvider time)
    {
        var now = time.GetUtcNow();
        return TypedResults.Ok(simulator.PushCampaigns().Select(c => PushCampaignView.From(c, now)).ToArray());
    }

    public static Ok<ServiceView[]> ListServices(TrafficSimulator simulator) =>
        TypedResults.Ok(simulator.Status().Select(ServiceView.From).ToArray());

    public static Ok<IReadOnlyList<string>> ListTraces(TrafficTraceLibrary traces) => TypedResults.Ok(traces.Names());

    public static Results<Created<TraceReplay>, ValidationProblem> StartReplay(TraceReplayRequest request, TrafficSimulator simulator, TrafficTraceLibrary traces)
    {
        var errors = new Dictionary<string, string[]>();
        if (string.IsNullOrWhiteSpace(request.Namespace) || string.IsNullOrWhiteSpace(request.Workload))
            errors["workload"] = ["namespace and workload are required"];
        else if (!simulator.HasService(request.Namespace, request.Workload))
            errors["workload"] = [$"the simulator has no service {request.Namespace}/{request.Workload}"];
        if (request.Speed is { } speed && (!double.IsFinite(speed) || speed is < 0.01 or > 1000))
            errors["speed"] = [$"speed must be between 0.01 and 1000; got {speed}"];

        TrafficTrace? trace = null;
        try
        {
            trace = string.IsNullOrWhiteSpace(request.Trace) ? null : traces.Find(request.Trace);
            if (trace is null)
                errors["trace"] = [$"unknown trace '{request.Trace}'; known: {string.Join(", ", traces.Names())}"];
        }
        catch (FormatException e)
        {
            errors["trace"] = [e.Message];
        }

        if (errors.Count > 0)
            return TypedResults.ValidationProblem(errors);

        var replay = simulator.StartReplay(request.Namespace!, request.Workload!, trace!, request.Speed ?? 1, request.Absolute);
        return TypedResults.Created("/sandbox/traffic/replays", replay);
    }

    public static ContentHttpResult ScrapeMetrics(TrafficSimulator simulator) =>
        TypedResults.Text(TrafficExposition.Write(simulator), TrafficExposition.ContentType);
}
