using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging;
using ScaleControl.Sandbox.DingTalk.Platform;
using ScaleControl.Sandbox.DingTalk.Stream;

namespace ScaleControl.Sandbox.DingTalk.Cards;

/// <summary>
/// What DingTalk does when someone taps a "回传请求" button: builds the actionCallback payload, sends it over Stream
/// (to one subscribed connection) or HTTP (to the registered route, signed when it has an apiSecret), waits at most
/// the callback timeout, and applies the synchronous answer with the update API's merge rules.
/// </summary>
public sealed partial class CardCallbackDispatcher(
    SandboxDirectory directory,
    CallbackRouteStore routes,
    StreamGateway gateway,
    FaultInjector faults,
    IHttpClientFactory httpClients,
    DingTalkSandboxOptions options,
    ChangeFeed changes,
    TimeProvider time,
    ILogger<CardCallbackDispatcher> logger)
{
    public const string HttpClientName = "ScaleControl.Sandbox.DingTalk.CardCallbacks";

    public async Task<TapRecord> TapAsync(CardInstance card, SandboxUser user, DeliveredSpace space, IReadOnlyList<string> actionIds, JsonObject actionParams)
    {
        var started = time.GetTimestamp();
        var payload = Payload(card, user, space, actionIds, actionParams);
        var duplicate = faults.Take("cardCallback", FaultKind.DuplicateCallback) is not null;
        var (status, detail) = card.Callback.CallbackType switch
        {
            "STREAM" => await ViaStreamAsync(card, user, payload, duplicate),
            "HTTP" => await ViaHttpAsync(card, user, payload, duplicate),
            _ => (TapStatus.NoCallback, "the card was created without callbackType/callbackRouteKey"),
        };
        var tap = new TapRecord(time.GetUtcNow(), user.UserId, actionIds, card.Callback.CallbackType, status, detail,
            time.GetElapsedTime(started).TotalMilliseconds);
        lock (card.Sync)
        {
            card.AddTap(tap);
        }

        LogTap(logger, card.OutTrackId, user.UserId, status, detail);
        changes.Publish();
        return tap;
    }

    private string Payload(CardInstance card, SandboxUser user, DeliveredSpace space, IReadOnlyList<string> actionIds, JsonObject actionParams)
    {
        var app = directory.FindApp(card.AppKey)!;
        var content = new JsonObject
        {
            ["cardPrivateData"] = new JsonObject
            {
                ["actionIds"] = new JsonArray([.. actionIds.Select(a => (JsonNode)JsonValue.Create(a))]),
                ["params"] = actionParams.DeepClone(),
            },
        };
        var payload = new JsonObject
        {
            ["type"] = "actionCallback",
            ["outTrackId"] = card.OutTrackId,
            ["corpId"] = app.CorpId,
            ["userId"] = card.UserIdType == 2 ? user.UnionId : user.UserId,
            ["userIdType"] = card.UserIdType,
            ["spaceType"] = space.SpaceType,
            ["spaceId"] = space.SpaceId,
            ["extension"] = "{}",
            ["content"] = content.ToJsonString(),
        };
        return payload.ToJsonString();
    }

    /// <summary>
    /// Pushes the tap to one connection of the app; a connection that answers with a non-200 ACK code did not handle
    /// it (another ScaleControl instance's card), so it goes to another connection not tried yet, with the same
    /// messageId, within the one callback timeout. (How long real DingTalk keeps redelivering is not documented.)
    /// </summary>
    private async Task<(TapStatus, string?)> ViaStreamAsync(CardInstance card, SandboxUser user, string payload, bool duplicate)
    {
        var started = time.GetTimestamp();
        var tried = new HashSet<string>(StringComparer.Ordinal);
        var refusals = new List<string>();
        string? messageId = null;
        while (gateway.Pick(card.AppKey, "CALLBACK", StreamTopics.CardCallback, tried) is { } connection)
        {
            tried.Add(connection.ConnectionId);
            var remaining = options.CallbackTimeout - time.GetElapsedTime(started);
            var frame = gateway.NewFrame(connection, "CALLBACK", StreamTopics.CardCallback, payload, messageId);
            messageId = frame.MessageId;
            var ack = remaining > TimeSpan.Zero ? await gateway.SendAndAwaitAckAsync(connection, frame, remaining) : null;
            if (ack is null)
            {
                return (TapStatus.Timeout, $"no ACK for {frame.MessageId} within {options.CallbackTimeout.TotalSeconds:0.#} s on connection {connection.ConnectionId}");
            }

            if (ack.Code != 200)
            {
                refusals.Add($"{connection.ConnectionId}: ACK code {ack.Code} {ack.Message}");
                continue;
            }

            if (duplicate)
            {
                await gateway.SendAndAwaitAckAsync(gateway.Pick(card.AppKey, "CALLBACK", StreamTopics.CardCallback) ?? connection, frame, options.CallbackTimeout);
            }

            if (string.IsNullOrEmpty(ack.Data))
            {
                return (TapStatus.InvalidResponse, "ACK data is missing or not a string; expected {\"response\":{…}} as a JSON string");
            }

            var (status, detail) = Apply(card, user, ack.Data, unwrap: true);
            return (status, refusals.Count == 0 ? detail : $"{detail ?? "handled"} after {refusals.Count} connection(s) handed it back");
        }

        return refusals.Count == 0
            ? (TapStatus.NoConnection, $"no Stream connection of app {card.AppKey} subscribes {StreamTopics.CardCallback}")
            : (TapStatus.CallbackFailed, $"no connection handled it: {string.Join("; ", refusals)}");
    }

    private async Task<(TapStatus, string?)> ViaHttpAsync(CardInstance card, SandboxUser user, string payload, bool duplicate)
    {
        var route = routes.Find(card.AppKey, card.Callback.CallbackRouteKey!);
        if (route is null)
        {
            return (TapStatus.CallbackFailed, $"callbackRouteKey {card.Callback.CallbackRouteKey} is no longer registered");
        }

        var (status, body, failure) = await PostAsync(route, payload);
        if (duplicate)
        {
            await PostAsync(route, payload);
        }

        return status switch
        {
            null when failure is not null => (TapStatus.CallbackFailed, $"{route.CallbackUrl}: {failure}"),
            null => (TapStatus.Timeout, $"{route.CallbackUrl} did not answer within {options.CallbackTimeout.TotalSeconds:0.#} s"),
            < 200 or >= 300 => (TapStatus.CallbackFailed, $"{route.CallbackUrl} answered HTTP {status}"),
            _ when string.IsNullOrWhiteSpace(body) => (TapStatus.NoChange, "empty HTTP response body"),
            _ => Apply(card, user, body!, unwrap: false),
        };
    }

    /// <summary>The HTTP status and body; a null status on timeout, or with a failure when the request could not be made.</summary>
    private async Task<(int? Status, string? Body, string? Failure)> PostAsync(SandboxCallbackRoute route, string payload)
    {
        using var timeout = new CancellationTokenSource(options.CallbackTimeout, time);
        using var request = new HttpRequestMessage(HttpMethod.Post, route.CallbackUrl)
        {
            Content = new StringContent(payload, Encoding.UTF8, new MediaTypeHeaderValue("application/json")),
        };
        if (!string.IsNullOrEmpty(route.ApiSecret))
        {
            var timestamp = time.GetUtcNow().ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture);
            request.Headers.Add(CallbackSignature.TimestampHeader, timestamp);
            request.Headers.Add(CallbackSignature.SignatureHeader, CallbackSignature.Compute(route.ApiSecret, timestamp));
        }

        try
        {
            using var response = await httpClients.CreateClient(HttpClientName).SendAsync(request, timeout.Token);
            return ((int)response.StatusCode, await response.Content.ReadAsStringAsync(timeout.Token), null);
        }
        catch (OperationCanceledException)
        {
            return (null, null, null);
        }
        catch (HttpRequestException error)
        {
            return (null, null, error.Message);
        }
    }

    /// <summary>
    /// Applies <c>{cardData, userPrivateData, cardUpdateOptions}</c> (Stream: inside <c>{"response": …}</c>; HTTP: bare
    /// or wrapped). The legacy <c>privateData: {userId: {cardParamMap}}</c> of the Python example is accepted too.
    /// </summary>
    private (TapStatus, string?) Apply(CardInstance card, SandboxUser user, string json, bool unwrap)
    {
        try
        {
            using var document = JsonDocument.Parse(json);
            var answer = document.RootElement;
            if (answer.ValueKind != JsonValueKind.Object)
            {
                return (TapStatus.InvalidResponse, "the answer is not a JSON object");
            }

            if (answer.TryGetProperty("response", out var wrapped))
            {
                answer = wrapped;
            }
            else if (unwrap)
            {
                return (TapStatus.InvalidResponse, "Stream ACK data lacks the {\"response\": …} wrapper");
            }

            if (answer.ValueKind == JsonValueKind.Null)
            {
                return (TapStatus.NoChange, "response is null");
            }

            var change = ReadChange(answer, user, card.UserIdType);
            if (change.CardData is null && change.PrivateData.Count == 0)
            {
                return (TapStatus.NoChange, "response has no cardData/userPrivateData");
            }

            lock (card.Sync)
            {
                card.Apply(change, "callback", user.UserId, time.GetUtcNow());
            }

            return (TapStatus.Updated, null);
        }
        catch (JsonException error)
        {
            return (TapStatus.InvalidResponse, $"not JSON: {error.Message}");
        }
        catch (DingTalkApiException error)
        {
            return (TapStatus.InvalidResponse, error.Message);
        }
    }

    private CardDataChange ReadChange(JsonElement answer, SandboxUser user, int userIdType)
    {
        if (answer.ValueKind != JsonValueKind.Object)
        {
            throw DingTalkApiException.BadRequest("param.invalid", "response must be an object");
        }

        var cardData = answer.Has("cardData") ? CardParamMaps.Read(answer.GetProperty("cardData"), "cardData") : null;
        var privateData = answer.Has("privateData")
            ? CardParamMaps.ReadPrivate(answer, directory, userIdType)
            : new Dictionary<string, IReadOnlyDictionary<string, string>>(StringComparer.Ordinal);
        if (answer.Has("userPrivateData"))
        {
            privateData[user.UserId] = CardParamMaps.Read(answer.GetProperty("userPrivateData"), "userPrivateData");
        }

        var updateOptions = answer.Object("cardUpdateOptions", "param.invalid");
        return new CardDataChange(
            cardData, privateData,
            updateOptions?.Bool("updateCardDataByKey", "param.invalid") ?? false,
            updateOptions?.Bool("updatePrivateDataByKey", "param.invalid") ?? false);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Tap on card {OutTrackId} by {UserId}: {Status} {Detail}")]
    private static partial void LogTap(ILogger logger, string outTrackId, string userId, TapStatus status, string? detail);
}
