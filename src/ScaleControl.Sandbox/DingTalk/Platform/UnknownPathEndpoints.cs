using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace ScaleControl.Sandbox.DingTalk.Platform;

/// <summary>
/// Paths the emulator does not serve answer as DingTalk's hosts do, so SDKs see a <c>code</c>/<c>errcode</c> rather than
/// ASP.NET's ProblemDetails: api.dingtalk.com (<c>/v1.0/…</c>, <c>/v2.0/…</c>) HTTP 404 <c>InvalidAction.NotFound</c>
/// (as reported by users, e.g. zhayujie/CowAgent#2490); oapi.dingtalk.com HTTP 200 <c>errcode 404</c>.
/// </summary>
internal static class UnknownPathEndpoints
{
    public static void MapUnknownPaths(this IEndpointRouteBuilder routes) =>
        routes.Map("{**path}", (HttpContext http, string? path) => IsNewApi(path)
            ? ApiPipeline.WriteAsync(http, StatusCodes.Status404NotFound, new
            {
                code = "InvalidAction.NotFound",
                requestid = RequestIds.New(),
                message = "Specified api is not found, please check your url and method.",
            })
            : Oapi.Error(404, "请求的URI地址不存在").ExecuteAsync(http));

    private static bool IsNewApi(string? path) =>
        path is not null && (path.StartsWith("v1.0/", StringComparison.Ordinal) || path.StartsWith("v2.0/", StringComparison.Ordinal));
}
