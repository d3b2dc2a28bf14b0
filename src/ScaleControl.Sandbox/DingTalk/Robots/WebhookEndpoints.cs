using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using ScaleControl.Sandbox.DingTalk.Platform;

namespace ScaleControl.Sandbox.DingTalk.Robots;

/// <summary>
/// The custom group robot webhook <c>/robot/send?access_token=…[&amp;timestamp=…&amp;sign=…]</c>: always HTTP 200 with
/// <c>{errcode, errmsg}</c>. Checks in order: POST, token, JSON content type, IP allow-list, timestamp and signature,
/// size, message shape, keywords, rate limit.
/// </summary>
internal static class WebhookEndpoints
{
    public const int MaxBodyBytes = 20_000;
    private static readonly TimeSpan s_timestampTolerance = TimeSpan.FromHours(1);

    public static void MapWebhook(this IEndpointRouteBuilder routes) => routes.Map("/robot/send", (Delegate)Send);

    private static async Task<IResult> Send(HttpContext http)
    {
        var services = http.RequestServices;
        var time = services.GetRequiredService<TimeProvider>();
        if (!HttpMethods.IsPost(http.Request.Method))
        {
            return Oapi.Error(43002, "需要POST请求");
        }

        var token = http.Request.Query["access_token"].ToString();
        if (string.IsNullOrEmpty(token))
        {
            return Oapi.Error(40035, "缺少参数 access_token");
        }

        var robot = services.GetRequiredService<SandboxDirectory>().FindWebhook(token);
        if (robot is null)
        {
            return Oapi.Error(300005, "token is not exist");
        }

        if (http.Request.ContentType?.StartsWith("application/json", StringComparison.OrdinalIgnoreCase) != true)
        {
            return Oapi.Error(43004, "无效的HTTP HEADER Content-Type");
        }

        if (!IpAllowed(robot, http.Connection.RemoteIpAddress))
        {
            return Oapi.Error(310000, $"ip {http.Connection.RemoteIpAddress} not in whitelist");
        }

        if (robot.Secret is { } secret && SignatureProblem(http.Request.Query, secret, time.GetUtcNow()) is { } problem)
        {
            return Oapi.Error(310000, problem);
        }

        if (services.GetRequiredService<FaultInjector>().Take("/robot/send", FaultKind.WebhookThrottle, FaultKind.SystemBusy) is { } fault)
        {
            return fault.Kind == FaultKind.WebhookThrottle ? Throttled() : Oapi.Error(-1, "系统繁忙");
        }

        var (message, body, error) = await WebhookMessage.ReadRequestAsync(http, MaxBodyBytes);
        if (message is null)
        {
            return error!;
        }

        if (robot.Keywords.Count > 0 && !robot.Keywords.Any(k => message.SearchableText.Contains(k, StringComparison.Ordinal)))
        {
            return Oapi.Error(310000, "keywords not in content");
        }

        if (!services.GetRequiredService<WebhookRateLimiter>().TryAcquire(token))
        {
            return Throttled();
        }

        services.GetRequiredService<MessageLog>().Add(new SandboxMessage(
            MessageIds.New(), MessageKind.Webhook, time.GetUtcNow(), token, robot.OpenConversationId, [], message.MsgType,
            message.Title, message.Text, body) { AtUserIds = message.AtUserIds, AtAll = message.AtAll });
        return Oapi.Ok();
    }

    private static IResult Throttled() => Oapi.Error(130101, "send too fast, exceed 20 times per minute");

    /// <summary>timestamp (ms) within 1 h of our clock and sign = Base64(HMAC-SHA256(secret, timestamp + "\n" + secret)).</summary>
    private static string? SignatureProblem(IQueryCollection query, string secret, DateTimeOffset now)
    {
        var timestamp = query["timestamp"].ToString();
        if (!long.TryParse(timestamp, NumberStyles.None, CultureInfo.InvariantCulture, out var millis)
            || (now - DateTimeOffset.FromUnixTimeMilliseconds(millis)).Duration() > s_timestampTolerance)
        {
            return "invalid timestamp";
        }

        var expected = Convert.ToBase64String(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), Encoding.UTF8.GetBytes($"{timestamp}\n{secret}")));
        var given = query["sign"].ToString(); // the query parser already URL-decoded it
        return CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(expected), Encoding.ASCII.GetBytes(given))
            ? null
            : "sign not match";
    }

    private static bool IpAllowed(SandboxWebhookRobot robot, IPAddress? remote)
    {
        if (robot.IpAllowList.Count == 0)
        {
            return true;
        }

        if (remote is null)
        {
            return false;
        }

        remote = remote.IsIPv4MappedToIPv6 ? remote.MapToIPv4() : remote;
        return robot.IpAllowList.Any(entry => IPNetwork.TryParse(entry.Contains('/', StringComparison.Ordinal) ? entry : $"{entry}/{(entry.Contains(':', StringComparison.Ordinal) ? 128 : 32)}", out var network)
            && network.Contains(remote));
    }
}
