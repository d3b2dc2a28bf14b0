using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using ScaleControl.Sandbox.DingTalk.Platform;

namespace ScaleControl.Sandbox.DingTalk.Cards;

/// <summary>The card instance APIs: createAndDeliver, create, deliver and update (<c>/v1.0/card/instances…</c>).</summary>
internal static class CardEndpoints
{
    public static void MapCardApis(this IEndpointRouteBuilder routes)
    {
        routes.MapPost("/v1.0/card/instances/createAndDeliver",
            ApiPipeline.Authenticated("/v1.0/card/instances/createAndDeliver", CreateAndDeliver));
        routes.MapPost("/v1.0/card/instances", ApiPipeline.Authenticated("/v1.0/card/instances#create", Create));
        routes.MapPost("/v1.0/card/instances/deliver", ApiPipeline.Authenticated("/v1.0/card/instances/deliver", Deliver));
        routes.MapPut("/v1.0/card/instances", ApiPipeline.Authenticated("/v1.0/card/instances", Update));
        routes.MapPut("/v1.0/card/instances/spaces", ApiPipeline.Authenticated("/v1.0/card/instances/spaces", AppendSpaces));
    }

    private static Task<object> CreateAndDeliver(ApiCall call)
    {
        var body = call.Body;
        if (body.ValueKind != JsonValueKind.Object)
        {
            throw DingTalkApiException.BadRequest("param.empty", "request body is empty");
        }

        var services = call.Http.RequestServices;
        var delivery = services.GetRequiredService<CardDelivery>();
        var card = NewCard(call, requiresOpenSpaceId: true);
        var plan = delivery.Prepare(body, body.GetProperty("openSpaceId").GetString()!, card.UserIdType);
        Store(call, card);
        var delivered = delivery.Deliver(plan, call.App, "/v1.0/card/instances/createAndDeliver");
        lock (card.Sync)
        {
            card.AddSpaces(delivered);
        }

        services.GetRequiredService<ChangeFeed>().Publish();
        return Task.FromResult<object>(new
        {
            success = true,
            result = new { outTrackId = card.OutTrackId, deliverResults = delivered.Select(CardDelivery.ToResult) },
        });
    }

    private static Task<object> Create(ApiCall call)
    {
        if (call.Body.ValueKind != JsonValueKind.Object)
        {
            throw DingTalkApiException.BadRequest("param.empty", "request body is empty");
        }

        var card = NewCard(call, requiresOpenSpaceId: false);
        Store(call, card);
        return Task.FromResult<object>(new { success = true, result = card.OutTrackId });
    }

    private static Task<object> Deliver(ApiCall call)
    {
        var body = call.Body;
        var outTrackId = body.String("outTrackId", "param.invalid");
        if (string.IsNullOrEmpty(outTrackId))
        {
            throw DingTalkApiException.BadRequest("param.outTrackIdEmpty", "outTrackId is empty");
        }

        var openSpaceId = body.String("openSpaceId", "param.openSpaceIdInvalid");
        if (string.IsNullOrEmpty(openSpaceId))
        {
            throw DingTalkApiException.BadRequest("param.openSpaceIdEmpty", "openSpaceId is empty");
        }

        var services = call.Http.RequestServices;
        var card = services.GetRequiredService<CardStore>().Find(call.App.AppKey, outTrackId)
            ?? throw DingTalkApiException.BadRequest("param.cardNotExist", $"card {outTrackId} does not exist");
        var delivery = services.GetRequiredService<CardDelivery>();
        var plan = delivery.Prepare(body, openSpaceId, body.Int("userIdType", "param.invalid") ?? card.UserIdType);
        var delivered = delivery.Deliver(plan, call.App, "/v1.0/card/instances/deliver");
        lock (card.Sync)
        {
            card.AddSpaces(delivered);
        }

        services.GetRequiredService<ChangeFeed>().Publish();
        return Task.FromResult<object>(new { success = true, result = delivered.Select(CardDelivery.ToResult) });
    }

    private static Task<object> Update(ApiCall call)
    {
        var body = call.Body;
        if (body.ValueKind != JsonValueKind.Object)
        {
            throw DingTalkApiException.BadRequest("param.empty", "request body is empty");
        }

        var outTrackId = body.String("outTrackId", "param.invalid");
        if (string.IsNullOrEmpty(outTrackId))
        {
            throw DingTalkApiException.BadRequest("param.outTrackIdEmpty", "outTrackId is empty");
        }

        var services = call.Http.RequestServices;
        var card = services.GetRequiredService<CardStore>().Find(call.App.AppKey, outTrackId)
            ?? throw DingTalkApiException.BadRequest("param.cardNotExist", $"card {outTrackId} does not exist");
        if (!body.Has("cardData") && !body.Has("privateData"))
        {
            throw DingTalkApiException.BadRequest("param.cardDataAndPrivateDataBothEmpty", "cardData and privateData are both empty");
        }

        var userIdType = body.Int("userIdType", "param.invalid") ?? card.UserIdType;
        var options = body.Object("cardUpdateOptions", "param.invalid");
        var change = new CardDataChange(
            body.Has("cardData") ? CardParamMaps.Read(body.GetProperty("cardData"), "cardData") : null,
            CardParamMaps.ReadPrivate(body, services.GetRequiredService<SandboxDirectory>(), userIdType),
            options?.Bool("updateCardDataByKey", "param.invalid") ?? false,
            options?.Bool("updatePrivateDataByKey", "param.invalid") ?? false);
        lock (card.Sync)
        {
            card.Apply(change, "update", actor: null, services.GetRequiredService<TimeProvider>().GetUtcNow());
        }

        services.GetRequiredService<ChangeFeed>().Publish();
        return Task.FromResult<object>(new { success = true, result = true });
    }

    /// <summary>
    /// Appends space models to a card (§2.4), so a later deliver may target those space types; the models are only
    /// checked for shape (an object each; group/robot models need <c>supportForward</c> when present).
    /// </summary>
    private static Task<object> AppendSpaces(ApiCall call)
    {
        var body = call.Body;
        var outTrackId = body.ValueKind == JsonValueKind.Object ? body.String("outTrackId", "param.invalid") : null;
        if (string.IsNullOrEmpty(outTrackId))
        {
            throw DingTalkApiException.BadRequest("param.outTrackIdEmpty", "outTrackId is empty");
        }

        var card = call.Http.RequestServices.GetRequiredService<CardStore>().Find(call.App.AppKey, outTrackId)
            ?? throw DingTalkApiException.BadRequest("param.cardNotExist", $"card {outTrackId} does not exist");
        string[] models = ["imGroupOpenSpaceModel", "imRobotOpenSpaceModel", "imSingleOpenSpaceModel", "topOpenSpaceModel", "coFeedOpenSpaceModel"];
        var given = models.Where(m => body.Object(m, "param.openSpaceModelInvalid") is not null).ToList();
        if (given.Count == 0)
        {
            throw DingTalkApiException.BadRequest("param.openSpaceModelInvalid", $"one of {string.Join(", ", models)} is required");
        }

        lock (card.Sync)
        {
            card.AddSpaceModels(given);
        }

        return Task.FromResult<object>(new { success = true, result = true });
    }

    /// <summary>Validates the fields create and createAndDeliver share, in DingTalk's order, and builds the instance (not stored yet).</summary>
    private static CardInstance NewCard(ApiCall call, bool requiresOpenSpaceId)
    {
        var body = call.Body;
        var services = call.Http.RequestServices;
        var directory = services.GetRequiredService<SandboxDirectory>();
        var outTrackId = body.String("outTrackId", "param.invalid");
        if (string.IsNullOrEmpty(outTrackId))
        {
            throw DingTalkApiException.BadRequest("param.outTrackIdEmpty", "outTrackId is empty");
        }

        var templateId = body.String("cardTemplateId", "param.invalid");
        if (string.IsNullOrEmpty(templateId))
        {
            throw DingTalkApiException.BadRequest("param.cardTemplateIdEmpty", "cardTemplateId is empty");
        }

        if (!body.Has("cardData"))
        {
            throw DingTalkApiException.BadRequest("param.cardPublicDataEmpty", "cardData is empty");
        }

        if (requiresOpenSpaceId && string.IsNullOrEmpty(body.String("openSpaceId", "param.openSpaceIdInvalid")))
        {
            throw DingTalkApiException.BadRequest("param.openSpaceIdEmpty", "openSpaceId is empty");
        }

        var template = directory.FindTemplate(templateId)
            ?? throw DingTalkApiException.BadRequest("param.templateNotExist", $"card template {templateId} does not exist");
        if (!template.Published)
        {
            throw DingTalkApiException.BadRequest("param.templateUnpublished", $"card template {templateId} is not published");
        }

        if (services.GetRequiredService<CardStore>().Find(call.App.AppKey, outTrackId) is not null)
        {
            throw DingTalkApiException.BadRequest("param.cardAlreadyExist", $"card {outTrackId} already exists");
        }

        var userIdType = body.Int("userIdType", "param.invalid") ?? 1;
        if (userIdType is not (1 or 2))
        {
            throw DingTalkApiException.BadRequest("param.invalid", "userIdType must be 1 (userId) or 2 (unionId)");
        }

        var creator = body.String("userId", "param.invalid");
        if (creator is not null && directory.FindUser(creator, userIdType) is null)
        {
            throw DingTalkApiException.BadRequest("param.userIdNotExist", $"user {creator} does not exist");
        }

        var callback = CallbackTarget(call, body);
        var cardData = CardParamMaps.Read(body.GetProperty("cardData"), "cardData");
        var privateData = CardParamMaps.ReadPrivate(body, directory, userIdType);
        var card = new CardInstance(call.App.AppKey, outTrackId, template, callback, userIdType);
        card.Apply(new CardDataChange(cardData, privateData, false, false), "create", creator,
            services.GetRequiredService<TimeProvider>().GetUtcNow());
        return card;
    }

    private static CardCallbackTarget CallbackTarget(ApiCall call, JsonElement body)
    {
        var callbackType = body.String("callbackType", "param.invalid");
        var routeKey = body.String("callbackRouteKey", "param.invalid");
        if (callbackType is null && routeKey is null)
        {
            return CardCallbackTarget.None;
        }

        callbackType ??= "HTTP";
        if (callbackType is not ("STREAM" or "HTTP"))
        {
            throw DingTalkApiException.BadRequest("param.invalid", $"callbackType must be STREAM or HTTP (upper case), got '{callbackType}'");
        }

        if (callbackType == "HTTP")
        {
            if (string.IsNullOrEmpty(routeKey))
            {
                throw DingTalkApiException.BadRequest("param.invalid", "callbackType HTTP needs a callbackRouteKey");
            }

            if (call.Http.RequestServices.GetRequiredService<CallbackRouteStore>().Find(call.App.AppKey, routeKey) is null)
            {
                throw DingTalkApiException.BadRequest("param.invalid", $"callbackRouteKey {routeKey} is not registered for this app");
            }
        }

        return new CardCallbackTarget(callbackType, routeKey);
    }

    private static void Store(ApiCall call, CardInstance card)
    {
        // A concurrent create with the same outTrackId loses here, exactly like the check in NewCard.
        if (!call.Http.RequestServices.GetRequiredService<CardStore>().TryAdd(card))
        {
            throw DingTalkApiException.BadRequest("param.cardAlreadyExist", $"card {card.OutTrackId} already exists");
        }
    }
}
