using System.Net.Http.Json;
using Microsoft.Extensions.Options;
using ScaleControl.DingTalk.Configuration;

namespace ScaleControl.DingTalk.Api;

/// <summary>
/// The DingTalk OpenAPI calls ScaleControl makes. Throttling and transient errors are retried by the HttpClient's
/// resilience handler; a rejected token is dropped and the call repeated once with a fresh one.
/// </summary>
public sealed class DingTalkApiClient(
    IHttpClientFactory httpClientFactory,
    DingTalkAccessTokenProvider tokens,
    IOptionsMonitor<DingTalkOptions> options)
{
    internal const string TokenHeader = "x-acs-dingtalk-access-token";

    /// <summary>POST /v1.0/card/instances/createAndDeliver (§2.1). Per-space failures are in the result, not thrown.</summary>
    public async Task<CreateAndDeliverCardResult> CreateAndDeliverCardAsync(CreateAndDeliverCardRequest request, CancellationToken cancellationToken)
    {
        var response = await SendAsync<CreateAndDeliverCardResponse>(HttpMethod.Post, "v1.0/card/instances/createAndDeliver", request, cancellationToken);
        return response.Result ?? new CreateAndDeliverCardResult(request.OutTrackId, []);
    }

    /// <summary>PUT /v1.0/card/instances (§2.3). Overwrites unless <see cref="UpdateCardRequest.CardUpdateOptions"/> says by key.</summary>
    public async Task UpdateCardAsync(UpdateCardRequest request, CancellationToken cancellationToken)
    {
        var response = await SendAsync<SuccessResponse>(HttpMethod.Put, "v1.0/card/instances", request, cancellationToken);
        if (!response.Success)
        {
            throw new DingTalkApiException(System.Net.HttpStatusCode.OK, "updateFailed", $"card {request.OutTrackId} was not updated", null);
        }
    }

    /// <summary>POST /v1.0/card/callbacks/register (§2.5): returns the registration now in force.</summary>
    public async Task<CardCallbackRegistration> RegisterCardCallbackAsync(RegisterCardCallbackRequest request, CancellationToken cancellationToken)
    {
        var response = await SendAsync<RegisterCardCallbackResponse>(HttpMethod.Post, "v1.0/card/callbacks/register", request, cancellationToken);
        return response.Result ?? new CardCallbackRegistration(request.CallbackUrl, request.ApiSecret);
    }

    /// <summary>POST /v1.0/robot/groupMessages/send (§7.1); returns the processQueryKey.</summary>
    public async Task<string?> SendGroupMessageAsync(GroupMessageRequest request, CancellationToken cancellationToken) =>
        (await SendAsync<GroupMessageResponse>(HttpMethod.Post, "v1.0/robot/groupMessages/send", request, cancellationToken)).ProcessQueryKey;

    /// <summary>POST /v1.0/robot/oToMessages/batchSend (§7.2): the robot's private message to people.</summary>
    public Task<OneToOneMessageResult> SendOneToOneMessageAsync(OneToOneMessageRequest request, CancellationToken cancellationToken) =>
        SendAsync<OneToOneMessageResult>(HttpMethod.Post, "v1.0/robot/oToMessages/batchSend", request, cancellationToken);

    /// <summary>POST /v1.0/robot/ding/send (§7.5).</summary>
    public Task<DingSendResult> SendDingAsync(DingSendRequest request, CancellationToken cancellationToken) =>
        SendAsync<DingSendResult>(HttpMethod.Post, "v1.0/robot/ding/send", request, cancellationToken);

    /// <summary>POST /v1.0/gateway/connections/open (§4.1): credentials in the body, no token; the ticket is single-use.</summary>
    public async Task<OpenConnectionResponse> OpenStreamConnectionAsync(IReadOnlyList<StreamSubscription> subscriptions, CancellationToken cancellationToken)
    {
        var settings = options.CurrentValue;
        var client = httpClientFactory.CreateClient(DingTalkHttpClients.Api);
        using var message = new HttpRequestMessage(HttpMethod.Post, DingTalkUris.Combine(settings.ApiBaseUrl, "v1.0/gateway/connections/open"))
        {
            Content = JsonContent.Create(
                new OpenConnectionRequest(settings.AppKey, settings.AppSecret ?? "", subscriptions, "scalecontrol-dotnet/1.0"),
                options: DingTalkJson.Options),
        };
        message.Headers.Accept.ParseAdd("application/json");
        using var response = await client.SendAsync(message, cancellationToken);
        await DingTalkResponses.ThrowIfErrorAsync(response, cancellationToken);
        var body = await response.Content.ReadFromJsonAsync<OpenConnectionResponse>(DingTalkJson.Options, cancellationToken);
        if (body is not { Endpoint.Length: > 0, Ticket.Length: > 0 })
        {
            throw new DingTalkApiException(response.StatusCode, "invalidResponse", "the gateway returned no endpoint/ticket", null);
        }

        return body;
    }

    private async Task<TResponse> SendAsync<TResponse>(HttpMethod method, string path, object body, CancellationToken cancellationToken)
    {
        var url = DingTalkUris.Combine(options.CurrentValue.ApiBaseUrl, path);
        var client = httpClientFactory.CreateClient(DingTalkHttpClients.Api);
        for (var attempt = 0; ; attempt++)
        {
            var token = await tokens.GetTokenAsync(cancellationToken);
            using var message = new HttpRequestMessage(method, url) { Content = JsonContent.Create(body, body.GetType(), options: DingTalkJson.Options) };
            message.Headers.Add(TokenHeader, token);
            using var response = await client.SendAsync(message, cancellationToken);
            if (!response.IsSuccessStatusCode)
            {
                var error = await DingTalkResponses.ReadErrorAsync(response, cancellationToken);
                if (attempt == 0 && DingTalkErrorCodes.IsTokenRejected(response.StatusCode, error?.Code))
                {
                    tokens.Invalidate(token);
                    continue;
                }

                throw new DingTalkApiException(
                    response.StatusCode,
                    error?.Code ?? $"http.{(int)response.StatusCode}",
                    error?.Message ?? response.ReasonPhrase ?? "no error body",
                    error?.RequestId);
            }

            return await response.Content.ReadFromJsonAsync<TResponse>(DingTalkJson.Options, cancellationToken)
                ?? throw new DingTalkApiException(response.StatusCode, "invalidResponse", $"empty response from {path}", null);
        }
    }
}
