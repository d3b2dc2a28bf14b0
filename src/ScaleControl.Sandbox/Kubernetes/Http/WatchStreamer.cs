using System.Globalization;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Hosting;
using ScaleControl.Sandbox.Kubernetes.Api;
using ScaleControl.Sandbox.Kubernetes.Operations;
using ScaleControl.Sandbox.Kubernetes.Resources;
using ScaleControl.Sandbox.Kubernetes.Selectors;
using ScaleControl.Sandbox.Kubernetes.Storage;

namespace ScaleControl.Sandbox.Kubernetes.Http;

/// <summary>
/// Serves <c>?watch=true</c>: a 200 stream of one JSON event per line, flushed per event; bookmarks on request;
/// closed at timeoutSeconds, on a dropped watch, or after an in-band ERROR (410 Expired).
/// </summary>
internal sealed class WatchStreamer(
    ObjectStore store, ResourceOperations operations, SandboxKubernetesOptions options, TimeProvider time, IHostApplicationLifetime lifetime)
{
    public async Task StreamAsync(HttpContext context, ResourceType type, string? ns, bool table)
    {
        var query = context.Request.Query;
        var since = ParseResourceVersion(query["resourceVersion"]);
        var labels = LabelSelector.Parse(query["labelSelector"]);
        var fields = FieldSelector.Parse(query["fieldSelector"], type);
        var bookmarks = IsTrue(query["allowWatchBookmarks"]);
        var initialEventsEnd = IsTrue(query["sendInitialEvents"]);
        var timeout = int.TryParse(query["timeoutSeconds"], NumberStyles.None, CultureInfo.InvariantCulture, out var seconds) && seconds > 0
            ? TimeSpan.FromSeconds(seconds)
            : options.MaxWatchDuration;

        using var subscription = store.Watch(type.Storage, ns, since);
        context.Features.Get<IHttpResponseBodyFeature>()?.DisableBuffering();
        context.Response.StatusCode = StatusCodes.Status200OK;
        context.Response.ContentType = "application/json";
        await context.Response.StartAsync(context.RequestAborted);
        await context.Response.Body.FlushAsync(context.RequestAborted); // headers now: clients wait for them, not for an event

        using var deadline = new CancellationTokenSource(timeout, time);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(deadline.Token, context.RequestAborted, lifetime.ApplicationStopping);
        var token = stop.Token;
        try
        {
            foreach (var e in subscription.Initial)
            {
                await WriteChangeAsync(e);
            }

            if (initialEventsEnd)
            {
                await WriteLineAsync("BOOKMARK", Bookmark(store.ResourceVersion, initialEventsEnd: true));
            }

            Task<bool>? pending = null;
            var tick = bookmarks ? Task.Delay(options.BookmarkInterval, time, token) : Task.Delay(Timeout.Infinite, token);
            while (true)
            {
                pending ??= subscription.Events.WaitToReadAsync(token).AsTask();
                if (await Task.WhenAny(pending, tick) == tick)
                {
                    await tick;
                    // Everything up to this version is already queued for us (the store pushes under its lock).
                    var resourceVersion = store.ResourceVersion;
                    if (!await DrainAsync())
                    {
                        return;
                    }

                    await WriteLineAsync("BOOKMARK", Bookmark(resourceVersion, initialEventsEnd: false));
                    tick = Task.Delay(options.BookmarkInterval, time, token);
                    continue;
                }

                var readable = await pending; // throws when cancelled
                pending = null;
                if (!readable || !await DrainAsync())
                {
                    return;
                }
            }
        }
        catch (OperationCanceledException)
        {
            // timeoutSeconds reached, client gone or server stopping: the stream just ends.
        }

        // Writes what is queued; false when the stream must end (dropped, or after an ERROR event).
        async Task<bool> DrainAsync()
        {
            while (subscription.Events.TryRead(out var e))
            {
                if (e.Type == WatchEvent.Error)
                {
                    await WriteLineAsync(WatchEvent.Error, e.Object);
                    return false;
                }

                await WriteChangeAsync(e);
            }

            return !subscription.Events.Completion.IsCompleted;
        }

        // As the apiserver's filtered watch: an object that starts matching is ADDED, one that stops is DELETED.
        async Task WriteChangeAsync(WatchEvent e)
        {
            var view = operations.ToView(type, e.Object);
            var matchesNow = Matches(view);
            var matchedBefore = e.Previous is { } previous && Matches(operations.ToView(type, previous));
            var eventType = (e.Type, matchedBefore, matchesNow) switch
            {
                (WatchEvent.Modified, false, true) => WatchEvent.Added,
                (WatchEvent.Modified, true, false) => WatchEvent.Deleted,
                (WatchEvent.Modified, false, false) => null,
                (_, _, true) => e.Type,
                _ => null,
            };
            if (eventType is not null)
            {
                await WriteLineAsync(eventType, table ? TableRenderer.Render(type, [view], null, time.GetUtcNow()) : view);
            }
        }

        bool Matches(JsonObject view) => labels.Matches(view) && fields.Matches(view);

        async Task WriteLineAsync(string eventType, JsonObject obj)
        {
            var line = WireJson.Serialize(new JsonObject { ["type"] = eventType, ["object"] = obj }) + "\n";
            await context.Response.WriteAsync(line, token);
            await context.Response.Body.FlushAsync(token);
        }

        JsonObject Bookmark(long resourceVersion, bool initialEventsEnd)
        {
            var metadata = new JsonObject { ["resourceVersion"] = resourceVersion.ToString(CultureInfo.InvariantCulture) };
            if (initialEventsEnd)
            {
                metadata["annotations"] = new JsonObject { ["k8s.io/initial-events-end"] = "true" };
            }

            return new JsonObject { ["kind"] = type.Kind, ["apiVersion"] = type.GroupVersion, ["metadata"] = metadata };
        }
    }

    public static bool IsTrue(string? value) => value is "true" or "1" or "True";

    public static long? ParseResourceVersion(string? value) =>
        string.IsNullOrEmpty(value) ? null
        : long.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var rv) ? rv
        : throw ApiErrors.BadRequest($"invalid resource version \"{value}\"");
}
