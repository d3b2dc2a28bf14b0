using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace ScaleControl.Sandbox.DingTalk.Platform;

/// <summary><c>POST /v1.0/oauth2/accessToken</c> (new) and <c>GET /gettoken</c> (old envelope); one token store behind both.</summary>
internal static class TokenEndpoints
{
    public static void MapTokenApis(this IEndpointRouteBuilder routes)
    {
        routes.MapPost("/v1.0/oauth2/accessToken", ApiPipeline.Anonymous("/v1.0/oauth2/accessToken", AccessToken));
        routes.MapGet("/gettoken", GetToken);
    }

    private static Task<object> AccessToken(HttpContext http, JsonElement body)
    {
        var services = http.RequestServices;
        var app = services.GetRequiredService<SandboxDirectory>().FindApp(body.String("appKey", "invalidClientIdOrSecret"));
        if (app is null || app.AppSecret != body.String("appSecret", "invalidClientIdOrSecret"))
        {
            throw DingTalkApiException.BadRequest("invalidClientIdOrSecret", "无效的clientId或者clientSecret");
        }

        var tokens = services.GetRequiredService<AccessTokenStore>();
        var token = tokens.Issue(app);
        return Task.FromResult<object>(new { accessToken = token.Token, expireIn = tokens.SecondsLeft(token) });
    }

    private static IResult GetToken(HttpContext http, string? appkey, string? appsecret)
    {
        if (string.IsNullOrEmpty(appkey) || string.IsNullOrEmpty(appsecret))
        {
            return Oapi.Error(40035, "缺少参数 corpid or appkey");
        }

        var services = http.RequestServices;
        var app = services.GetRequiredService<SandboxDirectory>().FindApp(appkey);
        if (app is null || app.AppSecret != appsecret)
        {
            return Oapi.Error(40096, "不合法的appKey或appSecret");
        }

        var tokens = services.GetRequiredService<AccessTokenStore>();
        var token = tokens.Issue(app);
        return Results.Json(
            new { errcode = 0, access_token = token.Token, errmsg = "ok", expires_in = tokens.SecondsLeft(token) }, SandboxJson.Options);
    }
}
