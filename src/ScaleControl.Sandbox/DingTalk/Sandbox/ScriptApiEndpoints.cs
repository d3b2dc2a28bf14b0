using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using ScaleControl.Sandbox.DingTalk.Cards;
using ScaleControl.Sandbox.DingTalk.Platform;
using ScaleControl.Sandbox.DingTalk.Robots;
using ScaleControl.Sandbox.DingTalk.Stream;

namespace ScaleControl.Sandbox.DingTalk.Sandbox;

/// <summary>
/// The emulator's own JSON API for scripts, tests and the phone page (not DingTalk's): info, cards, tap, messages,
/// faults, Stream control, DING settings and a change feed (server-sent events).
/// </summary>
internal static class ScriptApiEndpoints
{
    public static void MapScriptApi(this IEndpointRouteBuilder routes)
    {
        routes.MapGet("/info", Info);
        routes.MapGet("/cards", (CardStore cards) => Results.Json(cards.All.Select(c => CardViews.View(c)), SandboxJson.Options));
        routes.MapGet("/cards/{outTrackId}", (string outTrackId, string? userId, CardStore cards) =>
            cards.Find(outTrackId) is { } card
                ? Results.Json(CardViews.View(card, userId, withHistory: true), SandboxJson.Options)
                : NotFound($"card {outTrackId} does not exist"));
        routes.MapPost("/cards/{outTrackId}/tap", Tap);
        routes.MapGet("/messages", (MessageLog log, string? kind) =>
            Results.Json(log.All.Where(m => kind is null || string.Equals(m.Kind.ToString(), kind, StringComparison.OrdinalIgnoreCase)), SandboxJson.Options));
        routes.MapGet("/faults", (FaultInjector faults) => Results.Json(faults.Rules, SandboxJson.Options));
        routes.MapPost("/faults", (FaultRule rule, FaultInjector faults) => Results.Json(faults.Arm(rule), SandboxJson.Options));
        routes.MapDelete("/faults", (FaultInjector faults) =>
        {
            faults.Clear();
            return Results.NoContent();
        });
        routes.MapPost("/ding/settings", (DingSettingsRequest request, DingSettings settings) =>
        {
            settings.Set(request.Edition, request.SmsAndCallQuota);
            return Results.Json(new { settings.Edition, smsAndCallQuota = settings.SmsAndCallQuota, settings.DingAvailable }, SandboxJson.Options);
        });
        routes.MapGet("/stream/connections", (StreamGateway gateway) => Results.Json(gateway.Connections.Select(ConnectionView), SandboxJson.Options));
        routes.MapPost("/stream/connections/{connectionId}/ping", async (string connectionId, StreamGateway gateway) =>
            gateway.Find(connectionId) is { } connection
                ? Results.Json(new { echoed = await gateway.PingAsync(connection) }, SandboxJson.Options)
                : NotFound($"connection {connectionId} does not exist"));
        routes.MapPost("/stream/connections/{connectionId}/disconnect", async (string connectionId, StreamGateway gateway) =>
        {
            if (gateway.Find(connectionId) is not { } connection)
            {
                return NotFound($"connection {connectionId} does not exist");
            }

            await gateway.DisconnectAsync(connection, "connection is expired");
            return Results.Json(ConnectionView(connection), SandboxJson.Options);
        });
        routes.MapPost("/stream/events", (StreamEventRequest request, StreamGateway gateway, SandboxDirectory directory) =>
        {
            var app = request.AppKey is null ? directory.Apps.First() : directory.FindApp(request.AppKey);
            return app is null
                ? NotFound($"app {request.AppKey} does not exist")
                : Results.Json(gateway.PushEvent(app.AppKey, request.EventType, request.Data.GetRawText()), SandboxJson.Options);
        });
        routes.MapGet("/stream/events", (StreamGateway gateway) => Results.Json(gateway.Events, SandboxJson.Options));
        routes.MapGet("/changes", Changes);
    }

    private static IResult Info(HttpContext http, SandboxDirectory directory, CallbackRouteStore routes, StreamGateway gateway, DingSettings ding)
    {
        var urls = SandboxUrls.Of(http);
        var options = directory.Options;
        return Results.Json(new
        {
            apiBaseUrl = urls.Base,
            oapiBaseUrl = urls.Base,
            streamGatewayUrl = $"{urls.Base}/v1.0/gateway/connections/open",
            webhookUrl = $"{urls.Base}/robot/send",
            phoneUrl = $"{urls.Base}/phone",
            apps = directory.Apps,
            users = directory.Users,
            groups = directory.Groups.Select(g => new
            {
                g.OpenConversationId, g.Name, g.Members, g.Robots, openSpaceId = $"{OpenSpaceId.Prefix}IM_GROUP.{g.OpenConversationId}",
            }),
            templates = directory.Templates,
            callbackRoutes = routes.All,
            webhookRobots = directory.WebhookRobots.Select(w => new
            {
                w.AccessToken, w.Secret, w.Keywords, w.IpAllowList, w.OpenConversationId, url = $"{urls.Base}/robot/send?access_token={w.AccessToken}",
            }),
            streamConnections = gateway.Connections.Select(ConnectionView),
            ding = new { ding.Edition, smsAndCallQuota = ding.SmsAndCallQuota, ding.DingAvailable },
            limits = new
            {
                tokenLifetimeSeconds = (int)options.TokenLifetime.TotalSeconds,
                ticketLifetimeSeconds = (int)options.TicketLifetime.TotalSeconds,
                callbackTimeoutSeconds = options.CallbackTimeout.TotalSeconds,
                disconnectGraceSeconds = options.DisconnectGrace.TotalSeconds,
                qpsPerAppAndApi = options.QpsLimitPerAppAndApi,
                webhookMessagesPerMinute = options.WebhookMessagesPerMinute,
            },
        }, SandboxJson.Options);
    }

    private static async Task<IResult> Tap(
        string outTrackId, TapRequest request, CardStore cards, SandboxDirectory directory, CardCallbackDispatcher dispatcher)
    {
        if (cards.Find(outTrackId) is not { } card)
        {
            return NotFound($"card {outTrackId} does not exist");
        }

        if (directory.FindUser(request.UserId) is not { } user)
        {
            return Problem(400, $"user {request.UserId} does not exist");
        }

        if (CardViews.SpaceSeenBy(card, user.UserId, directory) is not { } space)
        {
            return Problem(403, $"{user.UserId} cannot see card {outTrackId} (not in any space it was delivered to)");
        }

        if (request.ActionIds is not { Count: > 0 } actionIds)
        {
            return Problem(400, "actionIds must name the tapped button");
        }

        IReadOnlyList<CardButtons.VisibleButton> visible;
        lock (card.Sync)
        {
            visible = CardButtons.Visible(card.Template, card.CardData);
        }

        // A button repeated per row is told apart by its row param: only a row that shows the button can be tapped.
        var row = request.Params?["row"] is JsonValue rowValue && rowValue.TryGetValue<string>(out var rowKey) ? rowKey : null;
        if (visible.FirstOrDefault(b => actionIds.Contains(b.ActionId) && (b.Row is null || row is null || b.Params.GetValueOrDefault("row") == row)) is not { } button)
        {
            return Problem(409, $"button {string.Join(",", actionIds)} is not shown on card {outTrackId} (status '{card.CardData.GetValueOrDefault("status")}')");
        }

        var actionParams = request.Params ?? new JsonObject(button.Params.Select(p => KeyValuePair.Create(p.Key, (JsonNode?)JsonValue.Create(p.Value))));
        var tap = await dispatcher.TapAsync(card, user, space, actionIds, actionParams);
        return Results.Json(new { tap, card = CardViews.View(card, user.UserId) }, SandboxJson.Options);
    }

    private static async Task Changes(HttpContext http, ChangeFeed changes)
    {
        http.Response.Headers.ContentType = "text/event-stream";
        http.Response.Headers.CacheControl = "no-cache";
        var seen = changes.Version;
        await http.Response.WriteAsync($"data: {seen}\n\n", http.RequestAborted);
        await http.Response.Body.FlushAsync(http.RequestAborted);
        try
        {
            while (!http.RequestAborted.IsCancellationRequested)
            {
                await changes.WaitForChangeAsync(seen, http.RequestAborted);
                seen = changes.Version;
                await http.Response.WriteAsync($"data: {seen}\n\n", http.RequestAborted);
                await http.Response.Body.FlushAsync(http.RequestAborted);
            }
        }
        catch (OperationCanceledException)
        {
            // The page went away.
        }
    }

    private static object ConnectionView(StreamConnection c) => new
    {
        c.ConnectionId, c.AppKey, c.Subscriptions, c.Ua, c.OpenedAt, c.IsOpen, c.Disconnecting, c.AcksReceived, c.PingsSent, c.PingsEchoed, c.Violations,
    };

    private static IResult NotFound(string message) => Problem(404, message);

    private static IResult Problem(int status, string message) => Results.Json(new { error = message }, SandboxJson.Options, statusCode: status);

    private sealed record TapRequest(string? UserId, IReadOnlyList<string>? ActionIds, JsonObject? Params);

    private sealed record DingSettingsRequest(string? Edition, int? SmsAndCallQuota);

    private sealed record StreamEventRequest(string? AppKey, string EventType, JsonElement Data);
}
