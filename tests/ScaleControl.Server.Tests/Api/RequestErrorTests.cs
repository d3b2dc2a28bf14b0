using System.Net;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using ScaleControl.Core.Proposals;
using ScaleControl.Server.Control.Loop;
using ScaleControl.Server.Tests.Infrastructure;
using static ScaleControl.Server.Tests.Infrastructure.ServerFactory;

namespace ScaleControl.Server.Tests.Api;

/// <summary>
/// What a caller gets for a request the API cannot read — in the body or the query string: ProblemDetails naming the
/// field and what was expected there, never a bare "Bad Request", and nothing changes.
/// </summary>
public sealed class RequestErrorTests : IDisposable
{
    private readonly ServerFactory _server = new();

    public void Dispose() => _server.Dispose();

    /// <summary>
    /// The sandbox's request records live in another assembly: a wrong type there said "expected a HotEventRequest"
    /// (the record) instead of the field's type. The message is System.Text.Json's own, with the host's options.
    /// </summary>
    [Theory]
    [InlineData("""{"namespace":"shop","workload":"checkout-api","multiplier":"NaN"}""", "multiplier", "expected a number")]
    [InlineData("""{"namespace":"shop","workload":"checkout-api","multiplier":4,"rampSeconds":1e10}""", "rampSeconds", "expected a whole number from -2147483648 to 2147483647, without a decimal point or exponent")]
    public void WrongType_OnARecordOfAnotherAssembly_NamesTheFieldsType(string body, string field, string expected)
    {
        var options = _server.Service<Microsoft.Extensions.Options.IOptions<Microsoft.AspNetCore.Http.Json.JsonOptions>>().Value.SerializerOptions;
        var error = Assert.ThrowsAny<System.Text.Json.JsonException>(() =>
            System.Text.Json.JsonSerializer.Deserialize<ScaleControl.Sandbox.Traffic.HotEventRequest>(body, options));

        Assert.Equal(expected, ScaleControl.Server.Api.BadRequestHandler.Expected(error.Message, field));
    }

    [Theory]
    [InlineData("/api/v1/workloads/shop/checkout-api/pin", """{"replicas":"twelve","durationSeconds":60,"reason":"x"}""", "replicas", "expected a whole number")]
    [InlineData("/api/v1/workloads/shop/checkout-api/pin", """{"replicas":3,"durationSeconds":60,"reason":"x","allowOutsideBounds":"yes"}""", "allowOutsideBounds", "expected true or false")]
    [InlineData("/api/v1/policies/shop/checkout-api/freeze", """{"durationSeconds":99999999999,"reason":"x"}""", "durationSeconds", "expected a whole number from -2147483648 to 2147483647")]
    [InlineData("/api/v1/workloads/shop/checkout-api/pin", """{"replicas":2147483648,"durationSeconds":60,"reason":"x"}""", "replicas", "expected a whole number from -2147483648 to 2147483647")] // probe 30: "expected a whole number" for a whole number
    [InlineData("/api/v1/workloads/shop/checkout-api/pin", """{"replicas":12.0,"durationSeconds":60,"reason":"x"}""", "replicas", "without a decimal point or exponent")]
    [InlineData("/api/v1/policies/shop/checkout-api/freeze", """{"durationSeconds":60,"reason":5}""", "reason", "expected a string")]
    [InlineData("/api/v1/policies/shop/checkout-api/expected-events", """{"at":"tonight","durationSeconds":60,"replicas":3,"reason":"x"}""", "at", "expected an RFC 3339 time")]
    public async Task Body_WrongTypeOnARequestRecord_NamesTheFieldsType(string url, string body, string field, string expected)
    {
        await GivenPolicyAsync();

        var errors = await ErrorsAsync(HttpMethod.Post, url, body);

        Assert.Contains(expected, errors.GetProperty(field)[0].GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Body_LoneSurrogateInAString_SaysItIsNotText_NotAWrongType()
    {
        await GivenPolicyAsync();

        var errors = await ErrorsAsync(HttpMethod.Post, "/api/v1/policies/shop/checkout-api/freeze", """{"durationSeconds":60,"reason":"a\ud800b"}""");

        Assert.Contains("not valid Unicode text", errors.GetProperty("reason")[0].GetString(), StringComparison.Ordinal);
        Assert.Null((await _server.Policies.GetAsync("shop", "checkout-api", default))!.Spec.Freeze);
    }

    [Theory]
    [InlineData("a\\udc00b", "a lone surrogate escape (\\udc00 without its pair) stands for no character")]
    [InlineData("\\ud83d", "a lone surrogate escape (the first half of a pair, with no second half after it) stands for no character")]
    public async Task Reason_LoneSurrogateEscape_NamedAsSent(string reason, string expected)
    {
        await GivenPolicyAsync();

        var errors = await ErrorsAsync(HttpMethod.Post, "/api/v1/policies/shop/checkout-api/freeze", $$"""{"durationSeconds":60,"reason":"{{reason}}"}""");

        Assert.Equal($"reason is not valid Unicode text: {expected}.", errors.GetProperty("reason")[0].GetString());
    }

    /// <summary>
    /// A reason shows on the card, the notice and the history as stored: a bidi mark reorders it (<c>1\u200F0</c>), and a
    /// zero-width space, soft hyphen or line separator hides what is there. They passed the plain-text check.
    /// </summary>
    [Theory]
    [InlineData("/api/v1/policies/shop/checkout-api/freeze", """{"durationSeconds":60,"reason":"deploy\u200Bv2"}""")]
    [InlineData("/api/v1/policies/shop/checkout-api/freeze", """{"durationSeconds":60,"reason":"a\u2028approved by lisi"}""")]
    [InlineData("/api/v1/policies/shop/checkout-api/freeze", """{"durationSeconds":60,"reason":"storm \u200F10\u200F"}""")]
    [InlineData("/api/v1/workloads/shop/checkout-api/pin", """{"replicas":6,"durationSeconds":60,"reason":"soft\u00ADhyphen"}""")]
    [InlineData("/api/v1/workloads/shop/checkout-api/pin", """{"replicas":6,"durationSeconds":60,"reason":"\uFEFFbom"}""")]
    public async Task Reason_HiddenOrReorderingCharacter_RefusedAsNotPlainText_NothingChanged(string url, string body)
    {
        await GivenPolicyAsync();

        var errors = await ErrorsAsync(HttpMethod.Post, url, body);

        Assert.Contains("must be plain text", errors.GetProperty("reason")[0].GetString(), StringComparison.Ordinal);
        var policy = (await _server.Policies.GetAsync("shop", "checkout-api", default))!;
        Assert.Null(policy.Spec.Freeze);
        Assert.Null(policy.Spec.Pin);
        Assert.Equal(4, _server.Workloads.Replicas("shop", "checkout-api"));
    }

    [Fact]
    public async Task Reason_EmojiWithZeroWidthJoiner_IsPlainText()
    {
        await GivenPolicyAsync();
        using var client = _server.ClientWith(ZhangsanToken);

        using var response = await client.PostAsync("/api/v1/policies/shop/checkout-api/freeze",
            new StringContent("""{"durationSeconds":60,"reason":"on-call \uD83D\uDC68\u200D\uD83D\uDCBB 大促"}""", Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task Reason_BytesThatAreNotUtf8_SaidSo_NotCalledASurrogate()
    {
        await GivenPolicyAsync();
        using var client = _server.ClientWith(ZhangsanToken);
        using var content = new ByteArrayContent([.. Encoding.ASCII.GetBytes("{\"durationSeconds\":60,\"reason\":\"a"), 0xFF, .. Encoding.ASCII.GetBytes("b\"}")]);
        content.Headers.ContentType = new("application/json");

        using var response = await client.PostAsync("/api/v1/policies/shop/checkout-api/freeze", content);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var message = (await response.ReadJson()).GetProperty("errors").GetProperty("reason")[0].GetString();
        Assert.Equal("reason is not valid Unicode text: its bytes are not UTF-8 (send the body as UTF-8).", message);
        Assert.Null((await _server.Policies.GetAsync("shop", "checkout-api", default))!.Spec.Freeze);
    }

    [Theory]
    [InlineData("")]
    [InlineData("null")]
    public async Task Body_Missing_SaysAJsonBodyIsNeeded(string body)
    {
        await GivenPolicyAsync();

        var errors = await ErrorsAsync(HttpMethod.Post, "/api/v1/workloads/shop/checkout-api/pin", body);

        Assert.Contains("a JSON body is required", errors.GetProperty("$")[0].GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Body_DuplicateKey_IsRefusedNotLastOneWins()
    {
        await GivenPolicyAsync();

        var errors = await ErrorsAsync(HttpMethod.Post, "/api/v1/workloads/shop/checkout-api/pin", """{"replicas":3,"replicas":40,"durationSeconds":60,"reason":"x"}""");

        Assert.Contains("more than once", errors.GetProperty("replicas")[0].GetString(), StringComparison.Ordinal);
        Assert.Null((await _server.Policies.GetAsync("shop", "checkout-api", default))!.Spec.Pin);
        Assert.Equal(4, _server.Workloads.Replicas("shop", "checkout-api"));
    }

    [Theory]
    [InlineData("/api/v1/history?from=bogus", "from")]
    [InlineData("/api/v1/history?to=-1h", "to")]
    [InlineData("/api/v1/proposals?phase=Bogus", "phase")]
    [InlineData("/api/v1/dashboard?minutes=abc", "minutes")]
    [InlineData("/api/v1/dashboard?minutes=99999999999", "minutes")]
    public async Task Query_WrongType_NamesTheParameter(string url, string parameter)
    {
        var errors = await ErrorsAsync(HttpMethod.Get, url, null);

        Assert.Contains(parameter, errors.GetProperty(parameter)[0].GetString(), StringComparison.Ordinal);
    }

    /// <summary>A time without its offset was read in the server's zone (UTC in a cluster: 8 hours off for 20:00 Beijing time).</summary>
    [Fact]
    public async Task Body_TimeWithoutOffset_RefusedNamingTheField_NothingStored()
    {
        await GivenPolicyAsync();

        var errors = await ErrorsAsync(HttpMethod.Post, "/api/v1/policies/shop/checkout-api/expected-events", """{"at":"2026-11-25T20:00:00","durationSeconds":600,"replicas":6,"reason":"gala"}""");

        Assert.Contains("expected an RFC 3339 time with its offset", errors.GetProperty("at")[0].GetString(), StringComparison.Ordinal);
        Assert.Empty((await _server.Policies.GetAsync("shop", "checkout-api", default))!.Spec.ExpectedEvents);
    }

    /// <summary>A well-formed time no one could mean was refused as "expected an RFC 3339 time" (year 9999 with an offset, year 0000) or read as given (year 0001).</summary>
    [Theory]
    [InlineData("/api/v1/policies/shop/checkout-api/expected-events", """{"at":"9999-12-31T23:59:59-01:00","durationSeconds":600,"replicas":6,"reason":"gala"}""", "at")]
    [InlineData("/api/v1/policies/shop/checkout-api/expected-events", """{"at":"0001-01-01T00:00:00Z","durationSeconds":600,"replicas":6,"reason":"gala"}""", "at")]
    [InlineData("/api/v1/policies/shop/checkout-api/expected-events", """{"at":"0000-06-01T20:00:00+08:00","durationSeconds":600,"replicas":6,"reason":"gala"}""", "at")]
    [InlineData("/api/v1/policies/shop/checkout-api/whatif", """{"fromSeconds":3600,"to":"9999-12-31T23:59:59-01:00"}""", "to")]
    public async Task Body_TimeOutOfRange_400KeyedByTheField_SayingTheRange_NothingStored(string url, string body, string field)
    {
        await GivenPolicyAsync();

        var errors = await ErrorsAsync(HttpMethod.Post, url, body);

        Assert.Equal($"{field} must be between 1970-01-01T00:00:00Z and 2999-12-31T23:59:59Z.", errors.GetProperty(field)[0].GetString());
        Assert.Empty((await _server.Policies.GetAsync("shop", "checkout-api", default))!.Spec.ExpectedEvents);
    }

    [Fact]
    public async Task Body_TimeOutOfRangeInAPolicy_KeyedByItsPath()
    {
        var frozen = TestPolicies.Approval() with { Spec = TestPolicies.Approval().Spec with { Freeze = new() { Until = _server.Time.GetUtcNow(), Reason = "x" } } };
        var policy = JsonSerializer.Serialize(frozen, Http.Json).Replace("2026-11-25T10:00:00+00:00", "9999-12-31T23:59:59-05:00", StringComparison.Ordinal);
        Assert.Contains("9999-12-31", policy, StringComparison.Ordinal);

        var errors = await ErrorsAsync(HttpMethod.Post, "/api/v1/policies/validate", policy);

        Assert.Equal("spec.freeze.until must be between 1970-01-01T00:00:00Z and 2999-12-31T23:59:59Z.", errors.GetProperty("spec.freeze.until")[0].GetString());
    }

    [Theory]
    [InlineData("/api/v1/history?from=2026-11-25T08:00:00", "from")]
    [InlineData("/api/v1/history?to=2026-11-25", "to")]
    public async Task Query_TimeWithoutOffset_NamesTheParameter(string url, string parameter)
    {
        var errors = await ErrorsAsync(HttpMethod.Get, url, null);

        Assert.Contains("with its offset", errors.GetProperty(parameter)[0].GetString(), StringComparison.Ordinal);
    }

    /// <summary>A repeated parameter was read joined ("shop,feed"): an empty list, or a bare "Bad Request" for a number or time.</summary>
    [Theory]
    [InlineData("/api/v1/policies?namespace=shop&namespace=feed", "namespace")]
    [InlineData("/api/v1/proposals?phase=Pending&phase=Applied", "phase")]
    [InlineData("/api/v1/history?from=2026-11-25T08:00:00Z&from=2026-11-25T09:00:00Z", "from")]
    [InlineData("/api/v1/dashboard?minutes=5&minutes=6", "minutes")]
    public async Task Query_GivenTwice_IsRefusedNamingTheParameter(string url, string parameter)
    {
        await GivenPolicyAsync();

        var errors = await ErrorsAsync(HttpMethod.Get, url, null);

        Assert.Equal($"{parameter} is given 2 times; give it once.", errors.GetProperty(parameter)[0].GetString());
    }

    /// <summary>
    /// A write the Kubernetes API server's validation refused (422 Invalid: something the checks here do not know) was a
    /// 500; it is the caller's to fix, told as the API server said it, keyed by its fields, and nothing was stored.
    /// </summary>
    [Fact]
    public async Task Put_TheApiServerRefusesTheObject_422KeyedByItsFields_NotA500()
    {
        await GivenPolicyAsync();
        var policy = System.Text.Json.Nodes.JsonNode.Parse(await _server.ClientWith(AdminToken).GetStringAsync("/api/v1/policies/shop/checkout-api"))!.AsObject();
        policy.Remove("status");
        _server.Policies.RefuseNextUpsert = new ScaleControl.Core.Ports.ObjectInvalidException(
            "shop/checkout-api: ScalePolicy.scalecontrol.io \"checkout-api\" is invalid: spec.group: Too long",
            new Dictionary<string, string[]> { ["spec.group"] = ["Too long: may not be longer than 63"] });
        using var admin = _server.ClientWith(AdminToken);

        using var response = await admin.PutAsync("/api/v1/policies/shop/checkout-api", new StringContent(policy.ToJsonString(), Encoding.UTF8, "application/json"));

        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.UnprocessableEntity, $"{(int)response.StatusCode}: {text}");
        var errors = JsonDocument.Parse(text).RootElement.GetProperty("errors");
        Assert.Equal("Too long: may not be longer than 63", errors.GetProperty("spec.group")[0].GetString());
        Assert.Null(_server.Policies.RefuseNextUpsert);
    }

    /// <summary>
    /// A name no Kubernetes object can have was looked up and answered 404 with the whole name echoed (5,000 characters
    /// came back), or matched nothing in a list filter (200, empty); now 400 keyed by the parameter, the name cut short.
    /// </summary>
    [Theory]
    [InlineData("GET", "/api/v1/policies/shop/Checkout-API", "name")]
    [InlineData("GET", "/api/v1/proposals/SHOP/x", "ns")]
    [InlineData("POST", "/api/v1/proposals/shop/..%2F..%2Fx/approve", "name")]
    [InlineData("POST", "/api/v1/workloads/shop/{long}/pin", "name")]
    [InlineData("POST", "/api/v1/policies/{long}/checkout-api/freeze", "ns")]
    [InlineData("DELETE", "/api/v1/workloads/shop/a_b/pin", "name")]
    [InlineData("GET", "/api/v1/proposals?namespace=../", "namespace")]
    [InlineData("GET", "/api/v1/history?namespace={long}", "namespace")]
    [InlineData("GET", "/api/v1/proposals?policy=Checkout", "policy")]
    [InlineData("DELETE", "/api/v1/policies/shop/checkout-api/expected-events/{long}", "event")]
    public async Task Name_NoKubernetesObjectCanHave_IsRefusedNamingTheParameter_NothingChanges(string method, string url, string parameter)
    {
        await GivenPolicyAsync();
        var body = method == "POST" ? """{"replicas":6,"durationSeconds":60,"reason":"x"}""" : null;

        var errors = await ErrorsAsync(new HttpMethod(method), url.Replace("{long}", new string('a', 5000), StringComparison.Ordinal), body);

        var message = errors.GetProperty(parameter)[0].GetString()!;
        Assert.Contains("' is not a", message, StringComparison.Ordinal);
        Assert.True(message.Length < 300, message);
        Assert.Null((await _server.Policies.GetAsync("shop", "checkout-api", default))!.Spec.Freeze);
        Assert.Equal(4, _server.Workloads.Replicas("shop", "checkout-api"));
    }

    /// <summary>
    /// A body that outgrows the limit while it is read (chunked: no Content-Length to refuse it by) was a bare
    /// "Content Too Large"; like one refused by its Content-Length it now says the limit keyed on the body, and nothing changes.
    /// </summary>
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Body_OverTheLimit_413KeyedOnTheBody_NothingChanged(bool chunked)
    {
        _server.Settings["urls"] = "http://127.0.0.1:0";
        _server.UseKestrel(); // the limit on a body being read is the server's (Kestrel's), not the in-memory test host's
        _server.StartServer();
        await GivenPolicyAsync();
        // The server answers before it has read the whole body and closes the connection, so a client still writing could
        // get a broken pipe instead of the answer (one CI run in many did). With a Content-Length the client waits for
        // "100 Continue" (as curl does for a large body) and never sends it; a chunked body is only a little over the
        // limit, so its tail is in the socket's buffer by the time the server has read the limit.
        var address = new Uri(_server.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());
        using var client = new HttpClient(new SocketsHttpHandler { Expect100ContinueTimeout = TimeSpan.FromMinutes(1) }) { BaseAddress = address };
        client.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", ZhangsanToken);
        var body = Encoding.UTF8.GetBytes($$"""{"replicas":5,"durationSeconds":60,"reason":"{{new string('x', 1024 * 1024 + 1024)}}"}""");
        HttpContent content = chunked ? new StreamContent(new MemoryStream(body)) : new ByteArrayContent(body);
        content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");
        if (chunked)
        {
            content.Headers.ContentLength = null;
        }

        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/workloads/shop/checkout-api/pin") { Content = content };
        request.Headers.TransferEncodingChunked = chunked;
        request.Headers.ExpectContinue = !chunked;
        using var response = await client.SendAsync(request);

        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.RequestEntityTooLarge, $"{(int)response.StatusCode}: {text}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("the body is limited to 1024 KiB.", JsonDocument.Parse(text).RootElement.GetProperty("errors").GetProperty("$")[0].GetString());
        Assert.Null((await _server.Policies.GetAsync("shop", "checkout-api", default))!.Spec.Pin);
        Assert.Equal(4, _server.Workloads.Replicas("shop", "checkout-api"));
    }

    [Theory]
    [InlineData("/api/v1/proposals?phase=1")]
    [InlineData("/api/v1/proposals?phase=99")]
    [InlineData("/api/v1/proposals?phase=-1")]
    [InlineData("/api/v1/proposals?phase=Pending,Applied")]
    [InlineData("/api/v1/proposals?phase=pendin")]
    public async Task Query_EnumGivenAsANumberOrAListOrNoName_IsRefusedNamingTheValues(string url)
    {
        var errors = await ErrorsAsync(HttpMethod.Get, url, null);

        Assert.Contains("must be one of Pending, Approved, Applying, Applied", errors.GetProperty("phase")[0].GetString(), StringComparison.Ordinal);
        Assert.Contains("(in any case)", errors.GetProperty("phase")[0].GetString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("1")]
    [InlineData("\"1\"")]
    public async Task Body_EnumGivenAsANumber_IsRefusedNamingTheValues(string mode)
    {
        var policy = JsonSerializer.Serialize(TestPolicies.Approval(), Http.Json).Replace("\"mode\":\"Approval\"", $"\"mode\":{mode}", StringComparison.Ordinal);
        Assert.Contains($"\"mode\":{mode}", policy, StringComparison.Ordinal);

        var errors = await ErrorsAsync(HttpMethod.Post, "/api/v1/policies/validate", policy);

        Assert.Contains("expected one of Auto", errors.GetProperty("spec.mode")[0].GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Body_WithoutJsonContentType_SaysWhichContentTypeIsNeeded()
    {
        await GivenPolicyAsync();
        using var client = _server.ClientWith(ZhangsanToken);

        using var response = await client.PostAsync("/api/v1/workloads/shop/checkout-api/pin",
            new StringContent("""{"replicas":3,"durationSeconds":60,"reason":"x"}""", Encoding.UTF8, "text/plain"));

        var text = await response.Content.ReadAsStringAsync();
        Assert.Equal(HttpStatusCode.UnsupportedMediaType, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains("Content-Type: application/json", text, StringComparison.Ordinal);
        Assert.Equal(4, _server.Workloads.Replicas("shop", "checkout-api"));
    }

    /// <summary>The body of approve is optional (<c>{"replicas":null}</c> at most): none sent approved nothing, answering "send a ApproveRequest as JSON".</summary>
    [Fact]
    public async Task Approve_NoBodySent_ApprovesAsAnEmptyObjectWould()
    {
        var pending = await GivenPendingProposalAsync();
        using var client = _server.ClientWith(ZhangsanToken);

        using var response = await client.PostAsync($"/api/v1/proposals/shop/{pending}/approve", content: null);

        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{(int)response.StatusCode}: {text}");
        Assert.Equal("Accepted", JsonDocument.Parse(text).RootElement.GetProperty("result").GetString());
        Assert.NotEqual(ProposalPhase.Pending, (await _server.Proposals.GetAsync("shop", pending, default))!.Status.Phase);
    }

    [Fact]
    public async Task Approve_BodyIsJsonNull_400KeyedOnTheBody_StillPending()
    {
        var pending = await GivenPendingProposalAsync();

        var errors = await ErrorsAsync(HttpMethod.Post, $"/api/v1/proposals/shop/{pending}/approve", "null");

        Assert.Contains("a JSON body is required", errors.GetProperty("$")[0].GetString(), StringComparison.Ordinal);
        Assert.Equal(ProposalPhase.Pending, (await _server.Proposals.GetAsync("shop", pending, default))!.Status.Phase);
    }

    private async Task<string> GivenPendingProposalAsync()
    {
        await GivenPolicyAsync();
        _server.Metrics.Set(TestPolicies.Query("checkout-api"), 1000);
        await _server.Service<Reconciler>().TickAsync(default);
        return Assert.Single(await _server.Proposals.ListAsync("shop", default)).Metadata.Name;
    }

    private async Task GivenPolicyAsync()
    {
        _server.Workloads.Add("shop", "checkout-api", 4);
        await _server.Policies.UpsertAsync(TestPolicies.Approval(), default);
    }

    private async Task<JsonElement> ErrorsAsync(HttpMethod method, string url, string? body)
    {
        using var client = _server.ClientWith(ZhangsanToken);
        using var request = new HttpRequestMessage(method, url);
        if (body is not null)
        {
            request.Content = new StringContent(body, Encoding.UTF8, "application/json");
        }

        using var response = await client.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"{(int)response.StatusCode}: {text}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        return JsonDocument.Parse(text).RootElement.TryGetProperty("errors", out var errors) ? errors.Clone() : throw new Xunit.Sdk.XunitException($"no errors: {text}");
    }
}
