using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using ScaleControl.Sandbox.DingTalk.Platform;

namespace ScaleControl.Sandbox.DingTalk.Cards;

/// <summary>
/// Card callback route registration: <c>POST /v1.0/card/callbacks/register</c> and the old
/// <c>/topapi/im/chat/scencegroup/interactivecard/callback/register</c> (snake_case fields, key defaults to the corpId).
/// </summary>
internal static class CallbackRouteEndpoints
{
    public static void MapCallbackRouteApis(this IEndpointRouteBuilder routes)
    {
        routes.MapPost("/v1.0/card/callbacks/register", ApiPipeline.Authenticated("/v1.0/card/callbacks/register", Register));
        routes.MapPost("/topapi/im/chat/scencegroup/interactivecard/callback/register", RegisterOld);
    }

    private static Task<object> Register(ApiCall call)
    {
        var body = call.Body;
        if (body.ValueKind != JsonValueKind.Object)
        {
            throw DingTalkApiException.BadRequest("param.empty", "request body is empty");
        }

        var key = body.String("callbackRouteKey", "param.invalid");
        if (string.IsNullOrEmpty(key))
        {
            throw DingTalkApiException.BadRequest("param.callbackRouteKeyEmpty", "callbackRouteKey is empty");
        }

        var url = body.String("callbackUrl", "param.invalid");
        if (string.IsNullOrEmpty(url))
        {
            throw DingTalkApiException.BadRequest("param.callbackUrlEmpty", "callbackUrl is empty");
        }

        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https"))
        {
            throw DingTalkApiException.BadRequest("param.invalid", "callbackUrl must be an absolute http(s) URL");
        }

        var forceUpdate = body.Bool("forceUpdate", "param.invalid") ?? false;
        var services = call.Http.RequestServices;
        var route = new SandboxCallbackRoute(call.App.AppKey, key, url, body.String("apiSecret", "param.invalid"));
        var (registered, existed) = services.GetRequiredService<CallbackRouteStore>().Register(route, forceUpdate);
        if (existed && !forceUpdate && !services.GetRequiredService<DingTalkSandboxOptions>().RegisterExistingRouteReturnsExisting)
        {
            throw new DingTalkApiException(500, "param.callbackRouteKeyExist", $"callbackRouteKey {key} already exists; use forceUpdate");
        }

        return Task.FromResult<object>(new { success = true, result = new { callbackUrl = registered.CallbackUrl, apiSecret = registered.ApiSecret } });
    }

    private static async Task<IResult> RegisterOld(HttpContext http, string? access_token)
    {
        var services = http.RequestServices;
        var app = services.GetRequiredService<SandboxDirectory>().FindApp(services.GetRequiredService<AccessTokenStore>().Validate(access_token));
        if (app is null)
        {
            return Oapi.InvalidToken();
        }

        JsonElement body;
        try
        {
            body = await ApiPipeline.ReadBodyAsync(http, "param.invalid");
        }
        catch (DingTalkApiException)
        {
            return Oapi.Error(40035, "invalid JSON body");
        }

        var url = OptionalString(body, "callback_url");
        if (string.IsNullOrEmpty(url))
        {
            return Oapi.Error(40035, "缺少参数 callback_url");
        }

        var key = OptionalString(body, "callbackRouteKey") is { Length: > 0 } given ? given : app.CorpId;
        var forceUpdate = body.TryGetProperty("forceUpdate", out var force) && force.ValueKind == JsonValueKind.True;
        var (registered, _) = services.GetRequiredService<CallbackRouteStore>()
            .Register(new SandboxCallbackRoute(app.AppKey, key, url, OptionalString(body, "api_secret")), forceUpdate);
        return Oapi.Ok(new
        {
            errcode = 0,
            errmsg = "ok",
            result = new { callback_url = registered.CallbackUrl, api_secret = registered.ApiSecret, callbackRouteKey = registered.CallbackRouteKey },
            request_id = RequestIds.New(),
        });
    }

    private static string? OptionalString(JsonElement body, string name) =>
        body.ValueKind == JsonValueKind.Object && body.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String
            ? value.GetString()
            : null;
}
