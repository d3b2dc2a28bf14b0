using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using ScaleControl.Sandbox.DingTalk.Platform;

namespace ScaleControl.Sandbox.DingTalk.Robots;

/// <summary>App-robot messages: <c>/v1.0/robot/groupMessages/send</c> and <c>/v1.0/robot/oToMessages/batchSend</c>.</summary>
internal static class RobotMessageEndpoints
{
    public const int MaxOtoUsers = 20;

    public static void MapRobotMessageApis(this IEndpointRouteBuilder routes)
    {
        routes.MapPost("/v1.0/robot/groupMessages/send", ApiPipeline.Authenticated("/v1.0/robot/groupMessages/send", SendToGroup));
        routes.MapPost("/v1.0/robot/oToMessages/batchSend", ApiPipeline.Authenticated("/v1.0/robot/oToMessages/batchSend", SendToUsers));
    }

    /// <summary>The robot must exist and belong to the caller's app (internal-app robotCode = AppKey).</summary>
    public static string RequireOwnRobot(ApiCall call)
    {
        var robotCode = call.Body.String("robotCode", "invalidParameter.param.invalid");
        if (string.IsNullOrEmpty(robotCode))
        {
            throw DingTalkApiException.BadRequest("invalidParameter.robotCode.empty", "robotCode is empty");
        }

        var owner = call.Http.RequestServices.GetRequiredService<SandboxDirectory>().FindAppByRobotCode(robotCode)
            ?? throw DingTalkApiException.BadRequest("invalidParameter.robotCode.invalid", $"robotCode {robotCode} does not exist");
        return owner.AppKey == call.App.AppKey
            ? robotCode
            : throw DingTalkApiException.BadRequest("invalidParameter.robotCode.auth", $"robotCode {robotCode} does not belong to this app");
    }

    private static Task<object> SendToGroup(ApiCall call)
    {
        var robotCode = RequireOwnRobot(call);
        var services = call.Http.RequestServices;
        var conversationId = call.Body.String("openConversationId", "invalidParameter.param.invalid");
        var group = services.GetRequiredService<SandboxDirectory>().FindGroup(conversationId)
            ?? throw DingTalkApiException.BadRequest("invalid.openConversationId", $"openConversationId {conversationId} does not exist");
        if (!group.Robots.Contains(robotCode))
        {
            throw DingTalkApiException.BadRequest("invalidParameter.robotCode.auth", $"robot {robotCode} is not in group {group.OpenConversationId}");
        }

        var (param, title, text) = MsgKeyCatalogue.Read(
            call.Body.String("msgKey", "invalidParameter.msgKey.invalid"), call.Body.String("msgParam", "invalidParameter.msgParam.invalid"));
        var message = services.GetRequiredService<MessageLog>().Add(new SandboxMessage(
            MessageIds.New(), MessageKind.GroupMessage, services.GetRequiredService<TimeProvider>().GetUtcNow(), robotCode,
            group.OpenConversationId, [], call.Body.GetProperty("msgKey").GetString()!, title, text, param));
        return Task.FromResult<object>(new { processQueryKey = message.Id });
    }

    private static Task<object> SendToUsers(ApiCall call)
    {
        var robotCode = RequireOwnRobot(call);
        var services = call.Http.RequestServices;
        var userIds = call.Body.StringArray("userIds", "invalidParameter.param.invalid") ?? [];
        if (userIds.Count == 0)
        {
            throw DingTalkApiException.BadRequest("invalidParameter.userIds.empty", "userIds is empty");
        }

        if (userIds.Count > MaxOtoUsers)
        {
            throw DingTalkApiException.BadRequest("invalidParameter.userIds.overMax", $"at most {MaxOtoUsers} userIds per call");
        }

        var (param, title, text) = MsgKeyCatalogue.Read(
            call.Body.String("msgKey", "invalidParameter.msgKey.invalid"), call.Body.String("msgParam", "invalidParameter.msgParam.invalid"));
        var directory = services.GetRequiredService<SandboxDirectory>();
        var invalid = userIds.Where(u => directory.FindUser(u) is null).ToList();
        var flowControlled = services.GetRequiredService<FaultInjector>()
            .Take("/v1.0/robot/oToMessages/batchSend", FaultKind.FlowControl)?.UserIds?.Intersect(userIds).ToList() ?? [];
        var delivered = userIds.Except(invalid).Except(flowControlled).ToList();
        var message = services.GetRequiredService<MessageLog>().Add(new SandboxMessage(
            MessageIds.New(), MessageKind.OtoMessage, services.GetRequiredService<TimeProvider>().GetUtcNow(), robotCode,
            null, delivered, call.Body.GetProperty("msgKey").GetString()!, title, text, param) { FlowControlled = flowControlled });
        return Task.FromResult<object>(new
        {
            processQueryKey = message.Id,
            invalidStaffIdList = invalid,
            flowControlledStaffIdList = flowControlled,
            filteredStaffIdList = Array.Empty<string>(),
        });
    }
}
