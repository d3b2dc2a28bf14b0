using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using ScaleControl.Sandbox.DingTalk.Platform;

namespace ScaleControl.Sandbox.DingTalk.Stream;

/// <summary><c>POST /v1.0/gateway/connections/open</c> (credentials in the body, no token) and the WebSocket it points to.</summary>
internal static class GatewayEndpoints
{
    public const string ConnectPath = "/gateway/connect";

    public static void MapStreamGateway(this IEndpointRouteBuilder routes)
    {
        routes.MapPost("/v1.0/gateway/connections/open", ApiPipeline.Anonymous("/v1.0/gateway/connections/open", Open));
        routes.Map(ConnectPath, Connect);
    }

    private static Task<object> Open(HttpContext http, JsonElement body)
    {
        var services = http.RequestServices;
        var app = services.GetRequiredService<SandboxDirectory>().FindApp(body.String("clientId", "param.invalid"));
        if (app is null || app.AppSecret != body.String("clientSecret", "param.invalid"))
        {
            throw DingTalkApiException.BadRequest("invalidClientIdOrSecret", "无效的clientId或者clientSecret");
        }

        var subscriptions = ReadSubscriptions(body);
        var ticket = services.GetRequiredService<StreamTicketStore>().Issue(app.AppKey, subscriptions, body.String("ua", "param.invalid"));
        var endpoint = SandboxUrls.Of(http).WebSocket(ConnectPath);
        return Task.FromResult<object>(new { endpoint, ticket = ticket.Ticket });
    }

    private static async Task Connect(HttpContext http, string? ticket)
    {
        if (!WebSocketUpgrade.IsRequested(http))
        {
            http.Response.StatusCode = StatusCodes.Status400BadRequest;
            await http.Response.WriteAsJsonAsync(new { code = "param.invalid", message = "WebSocket upgrade expected", requestid = RequestIds.New() });
            return;
        }

        var services = http.RequestServices;
        var (redeemed, refusal) = services.GetRequiredService<StreamTicketStore>().Redeem(ticket);
        if (redeemed is null)
        {
            http.Response.StatusCode = StatusCodes.Status401Unauthorized;
            await http.Response.WriteAsJsonAsync(new { code = "InvalidTicket", message = refusal, requestid = RequestIds.New() });
            return;
        }

        using var socket = await WebSocketUpgrade.AcceptAsync(http);
        await services.GetRequiredService<StreamGateway>().RunAsync(socket, redeemed, http.RequestAborted);
    }

    private static List<StreamSubscription> ReadSubscriptions(JsonElement body)
    {
        if (!body.Has("subscriptions") || body.GetProperty("subscriptions") is not { ValueKind: JsonValueKind.Array } list
            || list.GetArrayLength() == 0)
        {
            throw DingTalkApiException.BadRequest("param.invalid", "subscriptions must be a non-empty array");
        }

        var result = new List<StreamSubscription>();
        foreach (var item in list.EnumerateArray())
        {
            var type = item.String("type", "param.invalid");
            var topic = item.String("topic", "param.invalid");
            var valid = type switch
            {
                "EVENT" => topic == "*",
                "CALLBACK" => topic is not null && StreamTopics.CallbackTopics.Contains(topic),
                "SYSTEM" => topic is "ping" or "disconnect", // the Go SDK sends these; tolerated
                _ => false,
            };
            if (!valid)
            {
                throw DingTalkApiException.BadRequest("param.invalid", $"unsupported subscription {type} {topic}");
            }

            result.Add(new StreamSubscription(type!, topic!));
        }

        return result;
    }
}
