using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using ScaleControl.Sandbox.DingTalk.Platform;

namespace ScaleControl.Sandbox.DingTalk.Robots;

/// <summary>DING: <c>/v1.0/robot/ding/send</c> (in-app, SMS, phone) and <c>/v1.0/robot/ding/recall</c>.</summary>
internal static class DingEndpoints
{
    public const int MaxInAppReceivers = 200;
    public const int MaxSmsOrCallReceivers = 20;

    private static readonly HashSet<string> s_callVoices = new(StringComparer.Ordinal)
    {
        "Standard_Female_Voice", "Cantonese_Female_Voice", "Gentine_Female_Voice", "Overbearing_Female_Voice",
        "Lovely_Girl_Voice", "Standard_Male_Voice",
    };

    public static void MapDingApis(this IEndpointRouteBuilder routes)
    {
        routes.MapPost("/v1.0/robot/ding/send", ApiPipeline.Authenticated("/v1.0/robot/ding/send", Send));
        routes.MapPost("/v1.0/robot/ding/recall", ApiPipeline.Authenticated("/v1.0/robot/ding/recall", Recall));
    }

    private static Task<object> Send(ApiCall call)
    {
        var robotCode = OwnRobot(call);
        var body = call.Body;
        var remindType = body.Int("remindType", "invalidParameter.param.invalid");
        if (remindType is not (1 or 2 or 3))
        {
            throw DingTalkApiException.BadRequest("invalidParameter.param.invalid", "remindType must be 1 (in-app), 2 (SMS) or 3 (phone call)");
        }

        var receivers = body.StringArray("receiverUserIdList", "invalidParameter.param.invalid") ?? [];
        if (receivers.Count == 0)
        {
            throw DingTalkApiException.BadRequest("miss.staffId", "receiverUserIdList is empty");
        }

        var limit = remindType == 1 ? MaxInAppReceivers : MaxSmsOrCallReceivers;
        if (receivers.Count > limit)
        {
            throw DingTalkApiException.BadRequest("ding.receivercount.limit", $"remindType {remindType} allows at most {limit} receivers");
        }

        var content = body.String("content", "invalidParameter.param.invalid");
        if (string.IsNullOrEmpty(content))
        {
            throw DingTalkApiException.BadRequest("invalidParameter.param.invalid", "content is empty");
        }

        var callVoice = body.String("callVoice", "invalidParameter.param.invalid");
        if (callVoice is not null && !s_callVoices.Contains(callVoice))
        {
            throw DingTalkApiException.BadRequest("invalidParameter.param.invalid", $"callVoice {callVoice} is not supported");
        }

        var services = call.Http.RequestServices;
        var directory = services.GetRequiredService<SandboxDirectory>();
        var unknown = receivers.Where(r => directory.FindUser(r) is null).ToList();
        var reached = receivers.Except(unknown).ToList();
        var settings = services.GetRequiredService<DingSettings>();
        if (!settings.DingAvailable || (remindType != 1 && !settings.TryConsume(reached.Count)))
        {
            throw DingTalkApiException.BadRequest("ding.serverquota.insufficient",
                settings.DingAvailable ? "SMS/phone DING quota is used up" : $"DING needs the Professional edition (tenant: {settings.Edition})");
        }

        var ding = services.GetRequiredService<MessageLog>().Add(new SandboxMessage(
            Random.Shared.NextInt64(10_000_000_000, 99_999_999_999).ToString(System.Globalization.CultureInfo.InvariantCulture),
            MessageKind.Ding, services.GetRequiredService<TimeProvider>().GetUtcNow(), robotCode, null, reached,
            remindType switch { 1 => "app", 2 => "sms", _ => "call" }, null, content, body) { RemindType = remindType });
        var failedList = unknown.Count == 0 ? new Dictionary<string, IReadOnlyList<string>>() : new() { ["userNotExist"] = unknown };
        return Task.FromResult<object>(new { openDingId = ding.Id, failedList });
    }

    private static Task<object> Recall(ApiCall call)
    {
        var robotCode = OwnRobot(call);
        var openDingId = call.Body.String("openDingId", "invalidParameter.param.invalid");
        if (string.IsNullOrEmpty(openDingId))
        {
            throw DingTalkApiException.BadRequest("invalidParameter.param.invalid", "openDingId is empty");
        }

        var services = call.Http.RequestServices;
        var log = services.GetRequiredService<MessageLog>();
        var ding = log.Find(openDingId);
        if (ding is not { Kind: MessageKind.Ding } || ding.Sender != robotCode || ding.RecalledAt is not null)
        {
            throw DingTalkApiException.BadRequest("recall.ding.exception", $"DING {openDingId} cannot be recalled by robot {robotCode}");
        }

        log.MarkRecalled(ding, services.GetRequiredService<TimeProvider>().GetUtcNow());
        return Task.FromResult<object>(new { openDingId });
    }

    /// <summary>DING reports robot problems as <c>invalid.chatbotId</c>.</summary>
    private static string OwnRobot(ApiCall call)
    {
        try
        {
            return RobotMessageEndpoints.RequireOwnRobot(call);
        }
        catch (DingTalkApiException error)
        {
            throw DingTalkApiException.BadRequest("invalid.chatbotId", error.Message);
        }
    }
}
