using System.Net;
using ScaleControl.DingTalk.Api;

namespace ScaleControl.DingTalk.Tests.Unit;

public class DingTalkErrorCodesTests
{
    [Theory]
    [InlineData(HttpStatusCode.Forbidden, "Forbidden.AccessDenied.QpsLimitForAppkeyAndApi")]
    [InlineData(HttpStatusCode.Forbidden, "Forbidden.AccessDenied.QpsLimitForApi")]
    [InlineData(HttpStatusCode.BadRequest, "Forbidden.AccessDenied.QpsLimitForApi")]
    [InlineData(HttpStatusCode.TooManyRequests, null)]
    [InlineData(HttpStatusCode.InternalServerError, "system.busy")]
    [InlineData(HttpStatusCode.ServiceUnavailable, null)]
    [InlineData(HttpStatusCode.BadRequest, "send.too.fast")]
    [InlineData(HttpStatusCode.BadRequest, "too.many.people")]
    [InlineData(HttpStatusCode.Forbidden, null)]
    public void IsRetryable_ThrottlingAndTransient_True(HttpStatusCode status, string? code) =>
        Assert.True(DingTalkErrorCodes.IsRetryable(status, code));

    [Theory]
    [InlineData(HttpStatusCode.BadRequest, "param.cardAlreadyExist")]
    [InlineData(HttpStatusCode.InternalServerError, "param.templateNotExist")]
    [InlineData(HttpStatusCode.BadRequest, "invalidParameter.robotCode.invalid")]
    [InlineData(HttpStatusCode.Forbidden, "Forbidden.AccessDenied.ApiCountLimitForOrg")]
    [InlineData(HttpStatusCode.BadRequest, "ding.serverquota.insufficient")]
    [InlineData(HttpStatusCode.BadRequest, "invalidClientIdOrSecret")]
    [InlineData(HttpStatusCode.BadRequest, "InvalidAuthentication")]
    [InlineData(HttpStatusCode.Forbidden, "Forbidden.AccessDenied.AccessTokenPermissionDenied")]
    public void IsRetryable_CallerMistakesAndHardLimits_False(HttpStatusCode status, string code) =>
        Assert.False(DingTalkErrorCodes.IsRetryable(status, code));

    [Theory]
    [InlineData(HttpStatusCode.BadRequest, "InvalidAuthentication", true)]
    [InlineData(HttpStatusCode.Unauthorized, null, true)]
    [InlineData(HttpStatusCode.BadRequest, "AuthenticationFailed.MissingParameter", false)]
    public void IsTokenRejected_InvalidAuthenticationOr401(HttpStatusCode status, string? code, bool expected) =>
        Assert.Equal(expected, DingTalkErrorCodes.IsTokenRejected(status, code));
}
