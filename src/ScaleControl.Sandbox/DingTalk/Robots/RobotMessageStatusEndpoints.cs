using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using ScaleControl.Sandbox.DingTalk.Platform;

namespace ScaleControl.Sandbox.DingTalk.Robots;

/// <summary>
/// Read status and recall of app-robot messages (§7.1, §7.2; paths and fields as the official @alicloud/dingtalk
/// robot_1_0 client sends them). A message is read by whoever the script API marked (<c>POST messages/read</c>).
/// </summary>
internal static class RobotMessageStatusEndpoints
{
    public const int MaxKeys = 20;
    public const int MaxReadResults = 200;

    public static void MapRobotMessageStatusApis(this IEndpointRouteBuilder routes)
    {
        routes.MapPost("/v1.0/robot/groupMessages/query", ApiPipeline.Authenticated("/v1.0/robot/groupMessages/query", QueryGroup));
        routes.MapPost("/v1.0/robot/groupMessages/recall", ApiPipeline.Authenticated("/v1.0/robot/groupMessages/recall", RecallGroup));
        routes.MapPost("/v1.0/robot/otoMessages/batchRecall", ApiPipeline.Authenticated("/v1.0/robot/otoMessages/batchRecall", RecallOto));
        routes.MapGet("/v1.0/robot/oToMessages/readStatus", ApiPipeline.Authenticated("/v1.0/robot/oToMessages/readStatus", QueryOto));
    }

    private static Task<object> QueryGroup(ApiCall call)
    {
        var robotCode = RobotMessageEndpoints.RequireOwnRobot(call);
        var conversationId = call.Body.String("openConversationId", "invalidParameter.param.invalid");
        var message = Find(call, call.Body.String("processQueryKey", "invalidParameter.param.invalid"), robotCode, MessageKind.GroupMessage);
        if (message.OpenConversationId != conversationId)
        {
            throw DingTalkApiException.BadRequest("invalid.openConversationId", $"message was not sent to {conversationId}");
        }

        var maxResults = call.Body.Int("maxResults", "invalidParameter.param.invalid") ?? MaxReadResults;
        if (maxResults is < 1 or > MaxReadResults)
        {
            throw DingTalkApiException.BadRequest("invalidParameter.param.invalid", $"maxResults must be 1..{MaxReadResults}");
        }

        var skip = int.TryParse(call.Body.String("nextToken", "invalidParameter.param.invalid"), out var n) ? n : 0;
        var page = message.ReadBy.Skip(skip).Take(maxResults).ToList();
        var hasMore = skip + page.Count < message.ReadBy.Count;
        return Task.FromResult<object>(new
        {
            sendStatus = SendStatus(message),
            readUserIds = page,
            hasMore,
            nextToken = hasMore ? (skip + page.Count).ToString(System.Globalization.CultureInfo.InvariantCulture) : null,
        });
    }

    private static Task<object> QueryOto(ApiCall call)
    {
        var query = call.Http.Request.Query;
        var robotCode = query["robotCode"].ToString();
        var owner = call.Http.RequestServices.GetRequiredService<SandboxDirectory>().FindAppByRobotCode(robotCode);
        if (owner is null || owner.AppKey != call.App.AppKey)
        {
            throw DingTalkApiException.BadRequest(string.IsNullOrEmpty(robotCode) ? "invalidParameter.robotCode.empty" : "invalidParameter.robotCode.invalid", $"robotCode '{robotCode}' is not this app's robot");
        }

        var message = Find(call, query["processQueryKey"].ToString(), robotCode, MessageKind.OtoMessage);
        var directory = call.Http.RequestServices.GetRequiredService<SandboxDirectory>();
        return Task.FromResult<object>(new
        {
            sendStatus = SendStatus(message),
            messageReadInfoList = message.Receivers.Select(userId => new
            {
                name = directory.FindUser(userId)?.Name ?? userId,
                userId,
                readStatus = message.ReadBy.Contains(userId) ? "READ" : "UNREAD",
                readTimestamp = message.ReadBy.Contains(userId) ? message.At.ToUnixTimeMilliseconds() : (long?)null,
            }),
        });
    }

    private static Task<object> RecallGroup(ApiCall call)
    {
        var robotCode = RobotMessageEndpoints.RequireOwnRobot(call);
        var conversationId = call.Body.String("openConversationId", "invalidParameter.param.invalid");
        return Task.FromResult(Recall(call, robotCode, m => m.Kind == MessageKind.GroupMessage && m.OpenConversationId == conversationId));
    }

    private static Task<object> RecallOto(ApiCall call) =>
        Task.FromResult(Recall(call, RobotMessageEndpoints.RequireOwnRobot(call), m => m.Kind == MessageKind.OtoMessage));

    private static object Recall(ApiCall call, string robotCode, Func<SandboxMessage, bool> fits)
    {
        var keys = call.Body.StringArray("processQueryKeys", "invalidParameter.param.invalid") ?? [];
        if (keys.Count is 0 or > MaxKeys)
        {
            throw DingTalkApiException.BadRequest("invalidParameter.param.invalid", $"processQueryKeys must hold 1..{MaxKeys} keys");
        }

        var services = call.Http.RequestServices;
        var log = services.GetRequiredService<MessageLog>();
        var now = services.GetRequiredService<TimeProvider>().GetUtcNow();
        var succeeded = new List<string>();
        var failed = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var key in keys.Distinct(StringComparer.Ordinal))
        {
            if (log.Find(key) is not { } message || message.Sender != robotCode || !fits(message))
            {
                failed[key] = "processQueryKey not found";
            }
            else
            {
                log.MarkRecalled(message, now);
                succeeded.Add(key);
            }
        }

        return new { successResult = succeeded, failedResult = failed };
    }

    private static SandboxMessage Find(ApiCall call, string? processQueryKey, string robotCode, MessageKind kind)
    {
        if (string.IsNullOrEmpty(processQueryKey))
        {
            throw DingTalkApiException.BadRequest("invalidParameter.param.invalid", "processQueryKey is empty");
        }

        var message = call.Http.RequestServices.GetRequiredService<MessageLog>().Find(processQueryKey);
        return message is not null && message.Kind == kind && message.Sender == robotCode
            ? message
            : throw DingTalkApiException.BadRequest("invalidParameter.param.invalid", $"processQueryKey {processQueryKey} not found");
    }

    private static string SendStatus(SandboxMessage message) => message.RecalledAt is null ? "SUCCESS" : "RECALLED";
}
