using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace ScaleControl.Sandbox.DingTalk.Platform;

/// <summary>The caller of an api.dingtalk.com call: its app (from the access token) and its parsed JSON body.</summary>
internal sealed record ApiCall(HttpContext Http, SandboxApp App, JsonElement Body);

/// <summary>
/// What every <c>/v1.0/*</c> call goes through, in the order DingTalk's gateway applies it: the
/// <c>x-acs-dingtalk-access-token</c> header, the per-app per-API QPS limit, armed faults, then the handler. Errors
/// become HTTP 4xx/5xx with <c>{code, message, requestid}</c>.
/// </summary>
internal static class ApiPipeline
{
    public const string TokenHeader = "x-acs-dingtalk-access-token";

    public static Func<HttpContext, Task> Authenticated(string api, Func<ApiCall, Task<object>> handler) => async http =>
    {
        try
        {
            var services = http.RequestServices;
            var app = Authenticate(http, services);
            if (!services.GetRequiredService<QpsLimiter>().TryAcquire(app.AppKey, api))
            {
                throw QpsLimit(services.GetRequiredService<DingTalkSandboxOptions>(), "Forbidden.AccessDenied.QpsLimitForAppkeyAndApi");
            }

            ThrowArmedFault(services, api);
            var body = await ReadBodyAsync(http, "param.invalid");
            await WriteAsync(http, 200, await handler(new ApiCall(http, app, body)));
        }
        catch (DingTalkApiException error)
        {
            await WriteErrorAsync(http, error);
        }
    };

    /// <summary>Endpoints that take credentials in the body instead of a token (accessToken, gateway open).</summary>
    public static Func<HttpContext, Task> Anonymous(string api, Func<HttpContext, JsonElement, Task<object>> handler) => async http =>
    {
        try
        {
            ThrowArmedFault(http.RequestServices, api);
            var body = await ReadBodyAsync(http, "param.invalid");
            await WriteAsync(http, 200, await handler(http, body));
        }
        catch (DingTalkApiException error)
        {
            await WriteErrorAsync(http, error);
        }
    };

    public static Task WriteAsync(HttpContext http, int status, object body)
    {
        http.Response.StatusCode = status;
        return http.Response.WriteAsJsonAsync(body, body.GetType(), SandboxJson.Options);
    }

    public static Task WriteErrorAsync(HttpContext http, DingTalkApiException error) =>
        WriteAsync(http, error.StatusCode, new ApiError(error.Code, error.Message, RequestIds.New()));

    public static async Task<JsonElement> ReadBodyAsync(HttpContext http, string invalidCode)
    {
        using var reader = new StreamReader(http.Request.Body);
        var text = await reader.ReadToEndAsync(http.RequestAborted);
        if (string.IsNullOrWhiteSpace(text))
        {
            return default;
        }

        try
        {
            using var document = JsonDocument.Parse(text);
            return document.RootElement.Clone();
        }
        catch (JsonException)
        {
            throw DingTalkApiException.BadRequest(invalidCode, "request body is not valid JSON");
        }
    }

    private static SandboxApp Authenticate(HttpContext http, IServiceProvider services)
    {
        var token = http.Request.Headers[TokenHeader].ToString();
        if (string.IsNullOrEmpty(token))
        {
            throw DingTalkApiException.BadRequest("AuthenticationFailed.MissingParameter", "缺少参数：x-acs-dingtalk-access-token");
        }

        var appKey = services.GetRequiredService<AccessTokenStore>().Validate(token);
        return services.GetRequiredService<SandboxDirectory>().FindApp(appKey)
            ?? throw DingTalkApiException.BadRequest("InvalidAuthentication", "不合法的access_token");
    }

    private static void ThrowArmedFault(IServiceProvider services, string api)
    {
        var fault = services.GetRequiredService<FaultInjector>()
            .Take(api, FaultKind.SystemBusy, FaultKind.QpsLimit, FaultKind.QpsLimitForApi, FaultKind.ApiCountLimit, FaultKind.Error);
        if (fault is null)
        {
            return;
        }

        var options = services.GetRequiredService<DingTalkSandboxOptions>();
        throw fault.Kind switch
        {
            FaultKind.SystemBusy => new DingTalkApiException(500, fault.Code ?? "system.busy", fault.Message ?? "系统繁忙"),
            FaultKind.QpsLimit => QpsLimit(options, "Forbidden.AccessDenied.QpsLimitForAppkeyAndApi"),
            FaultKind.QpsLimitForApi => QpsLimit(options, "Forbidden.AccessDenied.QpsLimitForApi"),
            FaultKind.ApiCountLimit => new DingTalkApiException(403, "Forbidden.AccessDenied.ApiCountLimitForOrg", "调用次数超过限制"),
            _ => new DingTalkApiException(fault.StatusCode ?? 500, fault.Code ?? "unknownError", fault.Message ?? "injected fault"),
        };
    }

    private static DingTalkApiException QpsLimit(DingTalkSandboxOptions options, string code) =>
        new(options.QpsLimitStatusCode, code, "调用频率超过限制");

    private sealed record ApiError(string Code, string Message, string Requestid);
}
