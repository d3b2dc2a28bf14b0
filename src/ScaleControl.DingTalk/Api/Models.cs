using System.Text.Json.Serialization;

namespace ScaleControl.DingTalk.Api;

// Wire shapes of the DingTalk OpenAPI calls ScaleControl makes (dingtalk-protocol.md §1, §2, §4, §7).

internal sealed record ErrorBody(string? Code, string? Message, [property: JsonPropertyName("requestid")] string? RequestId);

internal sealed record AccessTokenRequest(string AppKey, string AppSecret);

internal sealed record AccessTokenResponse(string? AccessToken, long ExpireIn);

public sealed record CardParams(IReadOnlyDictionary<string, string> CardParamMap);

public sealed record CardUpdateOptions(bool UpdateCardDataByKey, bool UpdatePrivateDataByKey);

public sealed record ImGroupOpenSpaceModel(bool SupportForward, IReadOnlyDictionary<string, string>? LastMessageI18n);

/// <param name="Recipients">Only these users see the card in the group (null: everyone).</param>
public sealed record ImGroupOpenDeliverModel(string RobotCode, IReadOnlyDictionary<string, string>? AtUserIds, IReadOnlyList<string>? Recipients = null);

/// <summary>A card in the one-to-one chat between the robot and a user (space <c>IM_ROBOT.&lt;userId&gt;</c>).</summary>
public sealed record ImRobotOpenDeliverModel(string RobotCode, string SpaceType = "IM_ROBOT");

public sealed record ImRobotOpenSpaceModel(bool SupportForward);

public sealed record CreateAndDeliverCardRequest
{
    public required string CardTemplateId { get; init; }
    public required string OutTrackId { get; init; }
    public required CardParams CardData { get; init; }
    public required string OpenSpaceId { get; init; }
    public string? CallbackType { get; init; }
    public string? CallbackRouteKey { get; init; }
    public int UserIdType { get; init; } = 1;
    public ImGroupOpenSpaceModel? ImGroupOpenSpaceModel { get; init; }
    public ImGroupOpenDeliverModel? ImGroupOpenDeliverModel { get; init; }
    public ImRobotOpenSpaceModel? ImRobotOpenSpaceModel { get; init; }
    public ImRobotOpenDeliverModel? ImRobotOpenDeliverModel { get; init; }
}

public sealed record DeliverResult(string? SpaceType, string? SpaceId, bool Success, string? CarrierId, string? ErrorMsg);

public sealed record CreateAndDeliverCardResult(string? OutTrackId, IReadOnlyList<DeliverResult>? DeliverResults);

internal sealed record CreateAndDeliverCardResponse(bool Success, CreateAndDeliverCardResult? Result);

public sealed record UpdateCardRequest
{
    public required string OutTrackId { get; init; }
    public CardParams? CardData { get; init; }
    public IReadOnlyDictionary<string, CardParams>? PrivateData { get; init; }
    public CardUpdateOptions? CardUpdateOptions { get; init; }
    public int UserIdType { get; init; } = 1;
}

internal sealed record SuccessResponse(bool Success);

public sealed record RegisterCardCallbackRequest(string CallbackRouteKey, string CallbackUrl, string? ApiSecret, bool ForceUpdate);

public sealed record CardCallbackRegistration(string? CallbackUrl, string? ApiSecret);

internal sealed record RegisterCardCallbackResponse(bool Success, CardCallbackRegistration? Result);

public sealed record GroupMessageRequest(string MsgKey, string MsgParam, string OpenConversationId, string RobotCode);

internal sealed record GroupMessageResponse(string? ProcessQueryKey);

/// <summary>POST /v1.0/robot/oToMessages/batchSend (§7.2): at most 20 userIds.</summary>
public sealed record OneToOneMessageRequest(string RobotCode, IReadOnlyList<string> UserIds, string MsgKey, string MsgParam);

public sealed record OneToOneMessageResult(string? ProcessQueryKey, IReadOnlyList<string>? InvalidStaffIdList, IReadOnlyList<string>? FlowControlledStaffIdList);

public sealed record DingSendRequest(string RobotCode, int RemindType, IReadOnlyList<string> ReceiverUserIdList, string Content);

/// <summary><c>failedList</c> maps a failure reason to the userIds it hit.</summary>
public sealed record DingSendResult(string? OpenDingId, IReadOnlyDictionary<string, IReadOnlyList<string>>? FailedList);

public sealed record StreamSubscription(string Type, string Topic);

public sealed record OpenConnectionRequest(string ClientId, string ClientSecret, IReadOnlyList<StreamSubscription> Subscriptions, string Ua);

public sealed record OpenConnectionResponse(string? Endpoint, string? Ticket);
