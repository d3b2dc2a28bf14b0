using Microsoft.AspNetCore.Http;

namespace ScaleControl.Sandbox.DingTalk.Platform;

/// <summary>oapi.dingtalk.com style answers: always HTTP 200, judged by <c>errcode</c>.</summary>
internal static class Oapi
{
    public static IResult Ok(object? extra = null) => extra is null
        ? Results.Json(new { errcode = 0, errmsg = "ok" }, SandboxJson.Options)
        : Results.Json(extra, SandboxJson.Options);

    public static IResult Error(int errcode, string errmsg) => Results.Json(new { errcode, errmsg }, SandboxJson.Options);

    /// <summary>The <c>?access_token=</c> check of every <c>/topapi/*</c> call: errcode 88 with sub_code 40014.</summary>
    public static IResult InvalidToken() => Results.Json(
        new
        {
            errcode = 88,
            sub_code = "40014",
            sub_msg = "不合法的access_token",
            errmsg = "ding talk error[subcode=40014,submsg=不合法的access_token]",
            request_id = RequestIds.New(),
        },
        SandboxJson.Options);
}
