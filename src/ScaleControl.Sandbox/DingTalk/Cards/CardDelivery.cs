using System.Security.Cryptography;
using System.Text.Json;
using ScaleControl.Sandbox.DingTalk.Platform;

namespace ScaleControl.Sandbox.DingTalk.Cards;

/// <summary>
/// Delivers a card into the spaces of an <c>openSpaceId</c>. Structural problems (grammar, missing deliver model,
/// unknown users) fail the whole call with 400; a space that cannot take the card (unknown group, robot not in
/// the group or of another app, injected failure) fails alone inside a 200 <c>deliverResults</c>.
/// </summary>
internal sealed class CardDelivery(SandboxDirectory directory, FaultInjector faults, TimeProvider time)
{
    public sealed record Plan(IReadOnlyList<(string SpaceType, string SpaceId)> Spaces, JsonElement Body, int UserIdType);

    /// <summary>Validates everything that can fail with 400 before anything is stored.</summary>
    public Plan Prepare(JsonElement body, string openSpaceId, int userIdType)
    {
        var spaces = OpenSpaceId.Parse(openSpaceId);
        foreach (var (spaceType, spaceId) in spaces)
        {
            var modelName = OpenSpaceId.DeliverModelBySpaceType[spaceType];
            var model = body.Object(modelName, "param.openDeliverModelError")
                ?? throw DingTalkApiException.BadRequest("param.openDeliverModelEmpty", $"{spaceType} space needs {modelName}");
            switch (spaceType)
            {
                case "IM_GROUP":
                    if (string.IsNullOrEmpty(model.String("robotCode", "param.openDeliverModelError")))
                    {
                        throw DingTalkApiException.BadRequest("param.openDeliverModelError", "imGroupOpenDeliverModel.robotCode is required");
                    }

                    RequireUsers(model.StringMap("atUserIds", "param.openDeliverModelError")?.Keys.Where(k => k != "@ALL"), userIdType);
                    RequireUsers(model.StringArray("recipients", "param.openDeliverModelError"), userIdType);
                    model.StringMap("extension", "param.openDeliverModelError");
                    break;
                case "IM_ROBOT":
                    RequireUsers([spaceId], userIdType);
                    break;
                case "ONE_BOX":
                    RequireUsers(model.StringArray("userIds", "param.openDeliverModelError"), userIdType);
                    break;
            }
        }

        return new Plan(spaces, body, userIdType);
    }

    public IReadOnlyList<DeliveredSpace> Deliver(Plan plan, SandboxApp app, string api)
    {
        var results = new List<DeliveredSpace>();
        foreach (var (spaceType, spaceId) in plan.Spaces)
        {
            var model = plan.Body.GetProperty(OpenSpaceId.DeliverModelBySpaceType[spaceType]);
            var robotCode = model.String("robotCode", "param.openDeliverModelError");
            var atUserIds = model.StringMap("atUserIds", "param.openDeliverModelError") ?? new Dictionary<string, string>();
            var recipients = model.StringArray("recipients", "param.openDeliverModelError") ?? [];
            var failure = SpaceFailure(spaceType, spaceId, robotCode, app) ?? InjectedFailure(api, spaceId);
            results.Add(new DeliveredSpace(
                spaceType, spaceId, failure is null, failure, Convert.ToBase64String(RandomNumberGenerator.GetBytes(24)),
                robotCode, atUserIds, recipients, time.GetUtcNow()));
        }

        return results;
    }

    public static object ToResult(DeliveredSpace space) => new
    {
        spaceType = space.SpaceType,
        spaceId = space.SpaceId,
        success = space.Success,
        carrierId = space.Success ? space.CarrierId : null,
        errorMsg = space.ErrorMsg,
    };

    private string? SpaceFailure(string spaceType, string spaceId, string? robotCode, SandboxApp app)
    {
        if (spaceType is not ("IM_GROUP" or "ONE_BOX"))
        {
            return null;
        }

        var group = directory.FindGroup(spaceId);
        if (group is null)
        {
            return $"openConversationId {spaceId} does not exist";
        }

        if (spaceType == "ONE_BOX")
        {
            return null;
        }

        if (directory.FindAppByRobotCode(robotCode) is not { } owner || owner.AppKey != app.AppKey)
        {
            return $"robotCode {robotCode} does not belong to app {app.AppKey}";
        }

        return group.Robots.Contains(robotCode!) ? null : $"robot {robotCode} is not in group {spaceId}";
    }

    private string? InjectedFailure(string api, string spaceId) =>
        faults.Take(api, r => r.Kind == FaultKind.DeliveryFailure && (r.SpaceId is null || r.SpaceId == spaceId)) is { } rule
            ? rule.Message ?? "injected delivery failure"
            : null;

    private void RequireUsers(IEnumerable<string>? ids, int userIdType)
    {
        foreach (var id in ids ?? [])
        {
            if (directory.FindUser(id, userIdType) is null)
            {
                throw DingTalkApiException.BadRequest("param.userIdNotExist", $"user {id} does not exist (userIdType {userIdType})");
            }
        }
    }
}
