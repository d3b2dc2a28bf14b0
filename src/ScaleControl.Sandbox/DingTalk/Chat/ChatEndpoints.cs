using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using ScaleControl.Sandbox.DingTalk.Platform;
using ScaleControl.Sandbox.DingTalk.Robots;

namespace ScaleControl.Sandbox.DingTalk.Chat;

/// <summary>
/// People talking to the robot: the script route a test or the phone page types through
/// (<c>POST messages {"from","conversationId","text"}</c>; no conversationId = one-to-one with the robot) and the
/// session webhook robots answer through (<c>POST /robot/sendBySession?session=…</c>, oapi style: always HTTP 200).
/// </summary>
internal static class ChatEndpoints
{
    public const int MaxReplyBytes = 20_000;

    public static void MapChat(this IEndpointRouteBuilder routes)
    {
        routes.MapPost("/messages", Type);
        routes.MapGet("/chat/pushes", (RobotChatDelivery delivery) => Results.Json(delivery.Pushes, SandboxJson.Options));
        // The id goes in the body: processQueryKeys are Base64 and may hold a '/'.
        routes.MapPost("/messages/read", (ReadRequest request, MessageLog log, SandboxDirectory directory) =>
        {
            if (request.Id is null || log.Find(request.Id) is not { } message)
            {
                return Results.Json(new { error = $"message {request.Id} does not exist" }, SandboxJson.Options, statusCode: 404);
            }

            if (directory.FindUser(request.UserId) is null)
            {
                return Results.Json(new { error = $"user {request.UserId} does not exist" }, SandboxJson.Options, statusCode: 400);
            }

            log.MarkRead(message, request.UserId!);
            return Results.Json(message, SandboxJson.Options);
        });
        routes.Map("/robot/sendBySession", (Delegate)ReplyAsync);
    }

    private static async Task<IResult> Type(HttpContext http, TypeRequest request, SandboxDirectory directory, RobotChatDelivery delivery)
    {
        if (directory.FindUser(request.From) is not { } user)
        {
            return Problem(400, $"from: user '{request.From}' does not exist");
        }

        if (string.IsNullOrWhiteSpace(request.Text) || request.Text.Length > RobotChatDelivery.MaxTextLength)
        {
            return Problem(400, $"text: must be 1 to {RobotChatDelivery.MaxTextLength} characters");
        }

        SandboxGroup? group = null;
        if (request.ConversationId is not null)
        {
            group = directory.FindGroup(request.ConversationId);
            if (group is null)
            {
                return Problem(400, $"conversationId: group '{request.ConversationId}' does not exist");
            }

            if (!group.Members.Contains(user.UserId))
            {
                return Problem(403, $"{user.UserId} is not a member of {group.Name}");
            }
        }

        var push = await delivery.SendAsync(user, group, request.Text, SandboxUrls.Of(http).Base);
        return Results.Json(push, SandboxJson.Options);
    }

    private static async Task<IResult> ReplyAsync(HttpContext http)
    {
        var services = http.RequestServices;
        if (!HttpMethods.IsPost(http.Request.Method))
        {
            return Oapi.Error(43002, "需要POST请求");
        }

        if (services.GetRequiredService<ChatSessionStore>().Find(http.Request.Query["session"].ToString()) is not { } session)
        {
            return Oapi.Error(300001, "session 不存在");
        }

        var (message, body, error) = await WebhookMessage.ReadRequestAsync(http, MaxReplyBytes);
        if (message is null)
        {
            return error!;
        }

        var oneToOne = session.OpenConversationId is null;
        services.GetRequiredService<MessageLog>().Add(new SandboxMessage(
            MessageIds.New(), MessageKind.SessionReply, services.GetRequiredService<TimeProvider>().GetUtcNow(), session.RobotCode,
            session.OpenConversationId, oneToOne ? [session.UserId] : [], message.MsgType, message.Title, message.Text, body)
        {
            AtUserIds = message.AtUserIds,
            AtAll = message.AtAll,
            ConversationType = oneToOne ? "1" : "2",
            ChatUser = oneToOne ? session.UserId : null,
        });
        return Oapi.Ok();
    }

    private static IResult Problem(int status, string message) => Results.Json(new { error = message }, SandboxJson.Options, statusCode: status);

    private sealed record TypeRequest(string? From, string? ConversationId, string? Text);

    private sealed record ReadRequest(string? Id, string? UserId);
}
