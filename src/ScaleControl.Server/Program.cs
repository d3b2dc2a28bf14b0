using ScaleControl.Sandbox.Kubernetes.Storage;
using ScaleControl.Server.Api;
using ScaleControl.Server.Auth;
using ScaleControl.Server.Control;
using ScaleControl.Server.Dashboard;
using ScaleControl.Server.Hosting;
using ScaleControl.Server.Telemetry;

// "--reset": start the sandbox from an empty cluster (its kept state is deleted).
var reset = args.Contains("--reset");
args = [.. args.Where(a => a != "--reset")];

// Content (appsettings.json) comes from the build output; the working directory is where .scalecontrol/ is written.
var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = args, ContentRootPath = AppContext.BaseDirectory });
if (reset)
{
    builder.Configuration["ScaleControl:Sandbox:Reset"] = "true";
}

try
{
    var mode = builder.AddScaleControlServer();
    builder.AddScaleControlAuth(mode);
    builder.AddScaleControlAdapters(mode);
    builder.AddScaleControlControlPlane();

    var app = builder.Build();
    app.ValidateSettings();
    app.UseExceptionHandler();
    app.UseStatusCodePages();
    app.UseRequestHeaderLimits();
    app.UseRequestBodyLimit();
    app.UseKnownMethodsOnly(); // before the request metrics: a made-up method must not become a time series
    app.UseScaleControlHttpMetrics();
    app.UseAuthentication();
    app.UseAuthorization();
    app.UseRateLimiter();
    app.UseStrictQueryParameters();
    app.UseStrictResourceNames();

    app.MapHealthEndpoints();
    app.MapScaleControlMetrics();
    app.MapOpenApi();
    app.MapPoliciesEndpoints();
    app.MapWorkloadsEndpoints();
    app.MapExpectedEventsEndpoints();
    app.MapProposalsEndpoints();
    app.MapHistoryEndpoints();
    app.MapStatusEndpoints();
    app.MapDashboard();
    app.MapScaleControlAdapters(mode);

    app.Run();
}
catch (Exception e) when (e is SandboxStateException or StartRefusedException)
{
    // A damaged sandbox state file, a taken port or a state directory in use stops the start: its one readable line and a failed exit, not a stack trace.
    Console.Error.WriteLine(e.Message);
    return 1;
}

return 0;

public partial class Program;
