using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Logging;
using ScaleControl.DingTalk.Api;
using ScaleControl.Core.Ports;
using ScaleControl.DingTalk.Cards;

namespace ScaleControl.DingTalk.Callbacks;

/// <summary>The HTTP card callback receiver (CallbackMode Http): verify the signature, handle, answer with the card update.</summary>
public static partial class CardCallbackEndpoint
{
    public const string DefaultPattern = "/dingtalk/card-callback";

    /// <summary>Maps <c>POST {pattern}</c>; DingTalk posts the §3.1 payload there and takes the §3.2 body as the card update.</summary>
    public static RouteHandlerBuilder MapDingTalkCardCallback(this IEndpointRouteBuilder endpoints, string pattern = DefaultPattern) =>
        endpoints.MapPost(pattern, HandleCardCallback)
            .WithName("DingTalkCardCallback")
            .WithTags("DingTalk")
            .ExcludeFromDescription();

    public static async Task<Results<JsonHttpResult<CardCallbackReply>, UnauthorizedHttpResult, BadRequest<string>>> HandleCardCallback(
        HttpRequest request,
        CardCallbackSignatureVerifier verifier,
        CardCallbackHandler handler,
        ICallbackReplayLedger replays,
        DingTalkMetrics metrics,
        ILoggerFactory loggerFactory,
        CancellationToken cancellationToken)
    {
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        var logger = loggerFactory.CreateLogger(typeof(CardCallbackEndpoint));
        // The signature is single-use (SignatureReplayGuard), so a replayed request is refused before its body is read.
        var problem = verifier.Verify(
            request.Headers[CardCallbackSignatureVerifier.TimestampHeader].FirstOrDefault(),
            request.Headers[CardCallbackSignatureVerifier.SignatureHeader].FirstOrDefault());
        var remoteIp = request.HttpContext.Connection.RemoteIpAddress?.ToString() ?? "?";
        if (problem is not null)
        {
            LogRejected(logger, remoteIp, problem);
            return TypedResults.Unauthorized();
        }

        // This replica has not seen the signature; no other replica may have either (a replay sent to another pod).
        problem = await ClaimAcrossReplicasAsync(replays, request.Headers[CardCallbackSignatureVerifier.SignatureHeader].First()!, cancellationToken);
        if (problem is not null)
        {
            LogRejected(logger, remoteIp, problem);
            return TypedResults.Unauthorized();
        }

        using var reader = new StreamReader(request.Body); // the server caps its size
        var body = await reader.ReadToEndAsync(cancellationToken);
        if (!CardCallback.TryParse(body, out var callback, out var error))
        {
            LogMalformed(logger, remoteIp, error);
            return TypedResults.BadRequest(error);
        }

        // Over HTTP the route key already chose this instance: a card of another one is refused, not handed back.
        var reply = await handler.HandleAsync(callback, cancellationToken)
            ?? CardCallbackReply.Private(ApprovalCardContent.PrivateMessage("This card belongs to another ScaleControl instance; nothing was changed."));
        metrics.CallbackAnswered(started, "http");
        return TypedResults.Json(reply, DingTalkJson.Options);
    }

    /// <summary>Null when the signature is this replica's to use; fails closed when the replicas' ledger cannot be reached.</summary>
    private static async Task<string?> ClaimAcrossReplicasAsync(ICallbackReplayLedger replays, string signature, CancellationToken cancellationToken)
    {
        try
        {
            return await replays.TryClaimAsync(signature, cancellationToken) ? null : "the signature was already used on another replica (a replayed request)";
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            return $"could not check the signature against the other replicas ({e.Message}); refused, the tapper can tap again";
        }
    }

    [LoggerMessage(EventId = 310, Level = LogLevel.Warning, Message = "Rejected a card callback from {RemoteIp}: {Problem}")]
    private static partial void LogRejected(ILogger logger, string remoteIp, string problem);

    [LoggerMessage(EventId = 311, Level = LogLevel.Warning, Message = "Refused a signed card callback from {RemoteIp} that is not a well-formed tap: {Problem}")]
    private static partial void LogMalformed(ILogger logger, string remoteIp, string problem);
}
