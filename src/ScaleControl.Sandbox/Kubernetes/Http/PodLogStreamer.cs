using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Hosting;
using ScaleControl.Sandbox.Kubernetes.Api;
using ScaleControl.Sandbox.Kubernetes.Cluster;
using ScaleControl.Sandbox.Kubernetes.Json;
using ScaleControl.Sandbox.Kubernetes.Operations;
using ScaleControl.Sandbox.Kubernetes.Resources;
using ScaleControl.Sandbox.Kubernetes.Storage;

namespace ScaleControl.Sandbox.Kubernetes.Http;

/// <summary>
/// Serves <c>GET pods/{name}/log</c> as the apiserver and kubelet answer it, from <see cref="ContainerLog"/>: plain
/// text, one line per event, filtered by sinceSeconds/sinceTime, then tailLines, then cut at limitBytes; with
/// <c>follow=true</c> a chunked stream that goes on with the container's later lines and ends when it stops, its pod
/// goes, the client leaves, the server stops, or after MaxWatchDuration (a follow is bounded as a watch is).
/// </summary>
internal sealed class PodLogStreamer(
    ObjectStore store, ResourceOperations operations, SandboxKubernetesOptions options, TimeProvider time, IHostApplicationLifetime lifetime)
{
    // How often a follow looks for lines that fall due without a write (a SIGTERM after the preStop sleep).
    private static readonly TimeSpan s_tick = TimeSpan.FromSeconds(1);

    public async Task StreamAsync(HttpContext context, string ns, string name)
    {
        var query = PodLogOptions.Parse(context.Request.Query, name);
        using var subscription = store.Watch(BuiltInResources.Pods.Storage, ns, null); // before the read: no change missed
        var pod = operations.Get(BuiltInResources.Pods, ns, name);
        var container = ContainerName(pod, query.Container);
        var response = context.Response;
        if (JsonPaths.GetString(pod, "spec.nodeName") is null)
        {
            // Not scheduled: the apiserver has no kubelet to ask and answers with nothing (LogLocation's nil location).
            response.StatusCode = StatusCodes.Status200OK;
            response.ContentType = "text/plain";
            return;
        }

        var (instance, error) = ContainerLog.Instance(pod, container, query.Previous);
        if (instance is null)
        {
            throw ApiErrors.BadRequest(error!);
        }

        var now = time.GetUtcNow();
        var lines = ContainerLog.Lines(pod, container, instance, now);
        var since = query.Since(now);
        var first = lines.Where(l => since is null || l.At >= since).ToList();
        if (query.TailLines is { } tail && first.Count > tail)
        {
            first = first[^(int)tail..];
        }

        context.Features.Get<IHttpResponseBodyFeature>()?.DisableBuffering();
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = "text/plain";
        var budget = query.LimitBytes ?? long.MaxValue;
        using var deadline = new CancellationTokenSource(options.MaxWatchDuration, time);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(deadline.Token, context.RequestAborted, lifetime.ApplicationStopping);
        var token = stop.Token;
        try
        {
            if (!await WriteAsync(first))
            {
                return;
            }

            var uid = JsonPaths.GetString(pod, "metadata.uid");
            var startedAt = (string?)instance["startedAt"];
            var written = lines.ToHashSet(); // by value: a line is written once even if a later read derives it anew
            if (!query.Follow || query.Previous || instance["exitCode"] is not null)
            {
                return;
            }

            await response.Body.FlushAsync(token); // headers now: kubectl waits for them before it prints anything
            Task<bool>? pending = null;
            var tick = Task.Delay(s_tick, time, token);
            while (true)
            {
                pending ??= subscription.Events.WaitToReadAsync(token).AsTask();
                var latest = pod;
                var gone = false;
                if (await Task.WhenAny(pending, tick) == tick)
                {
                    await tick;
                    tick = Task.Delay(s_tick, time, token);
                }
                else if (!await pending)
                {
                    return;
                }
                else
                {
                    pending = null;
                    while (subscription.Events.TryRead(out var e))
                    {
                        if (e.Object["metadata"]?["uid"] is JsonValue id && (string?)id == uid)
                        {
                            latest = e.Object;
                            gone |= e.Type == WatchEvent.Deleted;
                        }
                    }
                }

                pod = latest;
                var current = CurrentInstance(pod, container, startedAt);
                var all = current is null ? [] : ContainerLog.Lines(pod, container, current, time.GetUtcNow());
                var fresh = all.Where(written.Add).ToList();
                if (fresh.Count > 0 && !await WriteAsync(fresh))
                {
                    return;
                }

                if (gone || current is null || current["exitCode"] is not null)
                {
                    return;
                }
            }
        }
        catch (OperationCanceledException)
        {
            // Client gone, server stopping or the follow's bound reached: the stream just ends.
        }

        // Writes the lines up to limitBytes (cutting the last one as the kubelet's LimitWriter does); false once it is spent.
        async Task<bool> WriteAsync(IEnumerable<LogLine> batch)
        {
            foreach (var line in batch)
            {
                var bytes = Encoding.UTF8.GetBytes((query.Timestamps ? RfcNano(line.At) + " " : "") + line.Text + "\n");
                var count = (int)Math.Min(bytes.Length, budget);
                await response.Body.WriteAsync(bytes.AsMemory(0, count), token);
                budget -= count;
                if (budget == 0)
                {
                    return false;
                }
            }

            await response.Body.FlushAsync(token);
            return true;
        }
    }

    // The apiserver's validateContainer: the one container, or the named one; several and none named is a 400 that
    // lists the containers, then the init and ephemeral ones.
    private static string ContainerName(JsonObject pod, string? requested)
    {
        var podName = JsonPaths.GetString(pod, "metadata.name");
        var containers = Names(pod, "containers");
        var init = Names(pod, "initContainers");
        var ephemeral = Names(pod, "ephemeralContainers");
        if (requested is not null)
        {
            return containers.Concat(init).Concat(ephemeral).Contains(requested, StringComparer.Ordinal)
                ? requested
                : throw ApiErrors.BadRequest($"container {requested} is not valid for pod {podName}");
        }

        if (containers.Count == 1)
        {
            return containers[0];
        }

        var message = $"a container name must be specified for pod {podName}";
        if (containers.Count > 1)
        {
            message += $", choose one of: [{string.Join(' ', containers)}]";
            message += init.Count > 0 ? $" or one of the init containers: [{string.Join(' ', init)}]" : "";
            message += ephemeral.Count > 0 ? $" or one of the ephemeral containers: [{string.Join(' ', ephemeral)}]" : "";
        }

        throw ApiErrors.BadRequest(message);
    }

    private static List<string> Names(JsonObject pod, string field) =>
        [.. (pod["spec"]?[field] as JsonArray)?.OfType<JsonObject>().Select(c => (string?)c["name"] ?? "") ?? []];

    // The instance being followed: running, or terminated with the same start (a restart is another instance).
    private static JsonObject? CurrentInstance(JsonObject pod, string container, string? startedAt)
    {
        var status = (pod["status"]?["containerStatuses"] as JsonArray)?.OfType<JsonObject>().FirstOrDefault(c => (string?)c["name"] == container);
        return new[] { status?["state"]?["running"], status?["state"]?["terminated"], status?["lastState"]?["terminated"] }
            .OfType<JsonObject>()
            .FirstOrDefault(s => (string?)s["startedAt"] == startedAt);
    }

    // The kubelet's timestamp prefix: RFC 3339 with nine fraction digits (timeFormatOut).
    private static string RfcNano(DateTimeOffset t) =>
        t.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff", CultureInfo.InvariantCulture) + "00Z";
}
