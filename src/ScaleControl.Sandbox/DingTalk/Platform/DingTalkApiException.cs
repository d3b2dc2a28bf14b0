namespace ScaleControl.Sandbox.DingTalk.Platform;

/// <summary>An api.dingtalk.com error: HTTP status plus the <c>{code, message, requestid}</c> body.</summary>
public sealed class DingTalkApiException(int statusCode, string code, string message) : Exception(message)
{
    public int StatusCode { get; } = statusCode;
    public string Code { get; } = code;

    public static DingTalkApiException BadRequest(string code, string message) => new(400, code, message);
}
