using ScaleControl.DingTalk.Callbacks;

namespace ScaleControl.DingTalk.Tests.Unit;

public class CardCallbackParsingTests
{
    private const string ProtocolExample = """
        {"type": "actionCallback",
         "outTrackId": "shop.checkout-api-7f3a",
         "corpId": "dingXXXXXX",
         "userId": "oncall01",
         "userIdType": 1,
         "spaceType": "IM_GROUP",
         "spaceId": "cidXXXXXXXX==",
         "extension": "{}",
         "content": "{\"cardPrivateData\":{\"actionIds\":[\"approve_btn\"],\"params\":{\"action\":\"approve\"}}}"}
        """;

    [Theory]
    [InlineData("""{"outTrackId":"o","userId":"u","content":123}""")]
    [InlineData("""{"outTrackId":"o","userId":"u","content":[1,2]}""")]
    [InlineData("""{"outTrackId":"o","userId":"u","content":"123"}""")]
    [InlineData("""{"outTrackId":"o","userId":"u","content":"[1,2]"}""")]
    [InlineData("""{"outTrackId":"o","userId":"u","content":"\"text\""}""")]
    [InlineData("""{"outTrackId":"o","userId":"u","content":"{not json"}""")]
    public void TryParse_ContentNotAnObject_RefusesWithAReasonInsteadOfThrowing(string json)
    {
        Assert.False(CardCallback.TryParse(json, out _, out var error));
        Assert.False(string.IsNullOrEmpty(error));
    }

    [Theory]
    [InlineData("""{"outTrackId":"a.b","userId":"u","content":"{\"cardPrivateData\":{\"params\":{\"action\":\"reject\",\"action\":\"approve\"}}}"}""")]
    [InlineData("""{"outTrackId":"a.b","userId":"u","content":"{\"cardPrivateData\":{\"params\":{\"replicas\":\"4\",\"replicas\":\"40\"}}}"}""")]
    [InlineData("""{"outTrackId":"a.b","userId":"wangwu","userId":"zhangsan","content":"{\"cardPrivateData\":{\"params\":{\"action\":\"approve\"}}}"}""")]
    [InlineData("""{"outTrackId":"a.b","userId":"u","content":"{\"cardPrivateData\":{\"actionIds\":[\"reject\"],\"actionIds\":[\"approve\"]}}"}""")]
    public void TryParse_AFieldGivenTwice_RefusesInsteadOfThrowingOrPickingOne(string json)
    {
        Assert.False(CardCallback.TryParse(json, out _, out var error));
        Assert.Contains("not valid JSON", error, StringComparison.Ordinal);
    }

    [Fact]
    public void TryParse_ProtocolExample_DecodesDoubleEncodedContent()
    {
        Assert.True(CardCallback.TryParse(ProtocolExample, out var callback, out _));

        Assert.Equal("shop.checkout-api-7f3a", callback.OutTrackId);
        Assert.Equal("oncall01", callback.UserId);
        Assert.Equal("dingXXXXXX", callback.CorpId);
        Assert.Equal(["approve_btn"], callback.ActionIds);
        Assert.Equal("approve", callback.Params["action"]);
    }

    [Fact]
    public void TryParse_NonStringParams_AreKeptAsJsonText()
    {
        const string json = """{"outTrackId":"a.b","userId":"u","content":"{\"cardPrivateData\":{\"actionIds\":[],\"params\":{\"replicas\":40,\"ok\":true}}}"}""";

        Assert.True(CardCallback.TryParse(json, out var callback, out _));
        Assert.Equal("40", callback.Params["replicas"]);
        Assert.Equal("true", callback.Params["ok"]);
    }

    [Fact]
    public void TryParse_LegacyValueField_IsAccepted()
    {
        const string json = """{"outTrackId":"a.b","userId":"u","value":"{\"cardPrivateData\":{\"actionIds\":[\"reject_btn\"]}}"}""";

        Assert.True(CardCallback.TryParse(json, out var callback, out _));
        Assert.Equal(["reject_btn"], callback.ActionIds);
        Assert.Empty(callback.Params);
    }

    [Theory]
    [InlineData("""{"userId":"u","content":"{\"cardPrivateData\":{}}"}""", "the callback lacks outTrackId or userId")]
    [InlineData("""{"outTrackId":"a.b","userId":"u"}""", "the callback has no content")]
    [InlineData("""{"outTrackId":"a.b","userId":"u","content":"{\"other\":1}"}""", "the callback content has no cardPrivateData")]
    [InlineData("[1,2]", "the callback is not a JSON object")]
    public void TryParse_IncompletePayload_SaysWhatIsMissing(string json, string expected)
    {
        Assert.False(CardCallback.TryParse(json, out _, out var error));
        Assert.Equal(expected, error);
    }

    [Fact]
    public void TryParse_ContentThatIsNotJson_Fails()
    {
        Assert.False(CardCallback.TryParse("""{"outTrackId":"a.b","userId":"u","content":"not json"}""", out _, out var error));
        Assert.StartsWith("the callback is not valid JSON", error);
    }

    [Theory]
    [InlineData("approve", "x", CardAction.Approve)]
    [InlineData("reject", "x", CardAction.Reject)]
    [InlineData("approve_half", "x", CardAction.ApproveHalf)]
    [InlineData("", "approve_half_btn", CardAction.ApproveHalf)]
    [InlineData("", "reject_btn", CardAction.Reject)]
    public void TryResolve_ActionParamThenActionId_MapsToAction(string actionParam, string actionId, CardAction expected)
    {
        var parameters = actionParam.Length == 0 ? new Dictionary<string, string>() : new Dictionary<string, string> { ["action"] = actionParam };

        Assert.True(CardActions.TryResolve(new CardCallback("a.b", "u", null, [actionId], parameters), out var action));
        Assert.Equal(expected, action);
    }

    [Fact]
    public void TryResolve_UnknownButton_Fails() =>
        Assert.False(CardActions.TryResolve(new CardCallback("a.b", "u", null, ["dance_btn"], new Dictionary<string, string> { ["action"] = "dance" }), out _));
}
