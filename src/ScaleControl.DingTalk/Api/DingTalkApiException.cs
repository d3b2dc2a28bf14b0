using System.Net;

namespace ScaleControl.DingTalk.Api;

/// <summary>A DingTalk OpenAPI error: <c>{"code","message","requestid"}</c> with the HTTP status.</summary>
public sealed class DingTalkApiException(HttpStatusCode statusCode, string code, string errorMessage, string? requestId)
    : Exception($"DingTalk API error {(int)statusCode} {code}: {errorMessage}" + (requestId is null ? "" : $" (requestid {requestId})"))
{
    public HttpStatusCode StatusCode { get; } = statusCode;

    /// <summary>The string error code, e.g. <c>param.cardAlreadyExist</c> or <c>Forbidden.AccessDenied.QpsLimitForApi</c>.</summary>
    public string Code { get; } = code;

    public string ErrorMessage { get; } = errorMessage;

    public string? RequestId { get; } = requestId;
}
