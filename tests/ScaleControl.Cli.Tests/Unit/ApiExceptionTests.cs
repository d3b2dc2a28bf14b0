using System.Net;
using ScaleControl.Cli.Api;

namespace ScaleControl.Cli.Tests.Unit;

public class ApiExceptionTests
{
    private static readonly Dictionary<string, string[]> s_none = [];

    [Fact]
    public void Message_Unauthorized_SaysHowToPassAToken()
    {
        var e = new ApiException(HttpStatusCode.Unauthorized, "Unauthorized", null, s_none);
        Assert.Equal("unauthorized (401): Unauthorized (set --token, SCALECTL_TOKEN or token: in the config file)", e.Message);
    }

    [Fact]
    public void Message_ConflictWithDetail_ShowsTheServersReason()
    {
        var e = new ApiException(HttpStatusCode.Conflict, "Refused", "proposal expired at 10:32:05", s_none);
        Assert.Equal("refused (409): proposal expired at 10:32:05", e.Message);
    }

    [Fact]
    public void Message_ValidationProblem_ListsEachField()
    {
        var errors = new Dictionary<string, string[]>
        {
            ["spec.maxReplicas"] = ["must be at least minReplicas"],
            ["spec.metrics[0].query"] = ["is required", "must be PromQL"],
        };
        var e = new ApiException(HttpStatusCode.BadRequest, "One or more validation errors occurred.", null, errors);

        Assert.Equal(
            "invalid request (400): spec.maxReplicas: must be at least minReplicas; spec.metrics[0].query: is required, must be PromQL",
            e.Message);
        Assert.DoesNotContain('\n', e.Message);
    }

    [Fact]
    public void Message_ServerSentencesEndingInAPeriod_JoinWithoutDoublePunctuation()
    {
        var errors = new Dictionary<string, string[]>
        {
            ["spec.maxReplicas"] = ["maxReplicas (2) must not be less than minReplicas (4)."],
            ["spec.schedules[0].minReplicas"] = ["must be from 1 to 2.", "got 40."],
        };
        var e = new ApiException(HttpStatusCode.BadRequest, null, null, errors);

        Assert.Equal(
            "invalid request (400): spec.maxReplicas: maxReplicas (2) must not be less than minReplicas (4); spec.schedules[0].minReplicas: must be from 1 to 2, got 40",
            e.Message);
        Assert.Equal(e.Message[(e.Message.IndexOf(": ", StringComparison.Ordinal) + 2)..], e.FieldErrors);
    }

    [Theory]
    [InlineData(HttpStatusCode.UnprocessableEntity, "invalid (422): query q: unknown metric")]
    [InlineData(HttpStatusCode.ServiceUnavailable, "unavailable (503): query q: unknown metric")]
    public void Message_RefusedOrUnavailable_IsNotCalledAServerError(HttpStatusCode status, string expected)
    {
        var e = new ApiException(status, "Cannot replay", "query q: unknown metric", s_none);
        Assert.Equal(expected, e.Message);
    }
}
