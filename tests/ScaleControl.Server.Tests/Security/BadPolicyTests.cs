using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using ScaleControl.Server.Tests.Infrastructure;
using static ScaleControl.Server.Tests.Infrastructure.ServerFactory;

namespace ScaleControl.Server.Tests.Security;

/// <summary>
/// Malformed policies over the API — wrong values, wrong types, unknown fields (typos), missing bounds, oversized
/// strings — each rejected 400 naming the field, by <c>validate</c> and by <c>PUT</c>, and nothing is stored.
/// </summary>
public sealed class BadPolicyTests : IDisposable
{
    private readonly ServerFactory _server = new();

    public void Dispose() => _server.Dispose();

    /// <summary>(what is wrong, JSON path to set (null value = remove), value, the error key expected).</summary>
    public static TheoryData<string, string, string?, string> Cases { get; } = new()
    {
        { "maxReplicas missing (no silent default)", "spec.maxReplicas", null, "spec.maxReplicas" },
        { "maxReplica typo", "spec.maxReplica", "100", "spec.maxReplica" },
        { "mode not a mode", "spec.mode", "\"Sometimes\"", "spec.mode" },
        { "scaleDownMode not a mode", "spec.scaleDownMode", "\"Never\"", "spec.scaleDownMode" },
        { "minReplicas zero", "spec.minReplicas", "0", "spec.minReplicas" },
        { "minReplicas negative", "spec.minReplicas", "-3", "spec.minReplicas" },
        { "minReplicas a word", "spec.minReplicas", "\"two\"", "spec.minReplicas" },
        { "minReplicas a fraction", "spec.minReplicas", "2.5", "spec.minReplicas" },
        { "minReplicas a quoted number", "spec.minReplicas", "\"2\"", "spec.minReplicas" },
        { "maxReplicas zero", "spec.maxReplicas", "0", "spec.maxReplicas" },
        { "maxReplicas below minReplicas", "spec.maxReplicas", "1", "spec.maxReplicas" },
        { "maxReplicas overflows", "spec.maxReplicas", "2147483648", "spec.maxReplicas" },
        { "interval zero", "spec.evaluationIntervalSeconds", "0", "spec.evaluationIntervalSeconds" },
        { "interval an hour", "spec.evaluationIntervalSeconds", "3600", "spec.evaluationIntervalSeconds" },
        { "interval int max", "spec.evaluationIntervalSeconds", "2147483647", "spec.evaluationIntervalSeconds" },
        { "interval as duration text", "spec.evaluationIntervalSeconds", "\"15s\"", "spec.evaluationIntervalSeconds" },
        { "tolerance negative", "spec.tolerance", "-1", "spec.tolerance" },
        { "tolerance a word", "spec.tolerance", "\"low\"", "spec.tolerance" },
        { "no metrics", "spec.metrics", "[]", "spec.metrics" },
        { "metrics an object", "spec.metrics", "{\"name\":\"qps\"}", "spec.metrics" },
        { "metric a string", "spec.metrics[0]", "\"qps\"", "spec.metrics[0]" },
        { "query empty", "spec.metrics[0].query", "\"\"", "spec.metrics[0].query" },
        { "query blank", "spec.metrics[0].query", "\"   \"", "spec.metrics[0].query" },
        { "query huge", "spec.metrics[0].query", JsonSerializer.Serialize(new string('x', 5000)), "spec.metrics[0].query" },
        { "metric name not a label", "spec.metrics[0].name", "\"QPS!\"", "spec.metrics[0].name" },
        { "metric target zero", "spec.metrics[0].target", "0", "spec.metrics[0].target" },
        { "metric target negative", "spec.metrics[0].target", "-5", "spec.metrics[0].target" },
        { "metric target a word", "spec.metrics[0].target", "\"high\"", "spec.metrics[0].target" },
        { "metric targetType unknown", "spec.metrics[0].targetType", "\"Sometimes\"", "spec.metrics[0].targetType" },
        { "metric typo", "spec.metrics[0].querry", "\"up\"", "spec.metrics[0].querry" },
        { "target name empty", "spec.target.name", "\"\"", "spec.target.name" },
        { "target kind unsupported", "spec.target.kind", "\"Pod\"", "spec.target.kind" },
        { "target a string", "spec.target", "\"checkout-api\"", "spec.target" },
        { "metadata name not DNS", "metadata.name", "\"Bad_Name\"", "metadata.name" },
        { "metadata name too long", "metadata.name", JsonSerializer.Serialize(new string('a', 300)), "metadata.name" },
        { "metadata typo", "metadata.labelz", "{}", "metadata.labelz" },
        { "metadata a number", "metadata", "7", "metadata" },
        { "spec typo at top level", "spce", "{}", "spce" },
        { "spec unknown field", "spec.replicas", "5", "spec.replicas" },
        { "approvers empty in Approval mode", "spec.approval.approvers", "[]", "spec.approval" },
        { "approvers duplicate", "spec.approval.approvers", "[\"zhangsan\",\"zhangsan\"]", "spec.approval.approvers" },
        { "approver blank", "spec.approval.approvers", "[\"\",\"lisi\"]", "spec.approval.approvers" },
        { "approver too long", "spec.approval.approvers", JsonSerializer.Serialize(new[] { new string('a', 100) }), "spec.approval.approvers" },
        { "approvers a string", "spec.approval.approvers", "\"zhangsan\"", "spec.approval.approvers" },
        { "requiredApprovals zero", "spec.approval.requiredApprovals", "0", "spec.approval.requiredApprovals" },
        { "requiredApprovals above roster", "spec.approval.requiredApprovals", "5", "spec.approval.requiredApprovals" },
        { "on-call group missing", "spec.approval.openConversationId", "\"\"", "spec.approval.openConversationId" },
        { "on-call group too long", "spec.approval.openConversationId", JsonSerializer.Serialize(new string('c', 300)), "spec.approval.openConversationId" },
        { "expiry zero", "spec.approval.expirySeconds", "0", "spec.approval.expirySeconds" },
        { "escalation negative", "spec.approval.escalation.afterSeconds", "-1", "spec.approval.escalation.afterSeconds" },
        { "escalation dingType unknown", "spec.approval.escalation.dingType", "\"Pigeon\"", "spec.approval.escalation.dingType" },
        { "two-person threshold zero", "spec.approval.twoPersonRule", "{\"aboveReplicas\":0}", "spec.approval.twoPersonRule.aboveReplicas" },
        { "two-person percent negative", "spec.approval.twoPersonRule", "{\"aboveStepPercent\":-5}", "spec.approval.twoPersonRule.aboveStepPercent" },
        { "freeze without reason", "spec.freeze", "{\"until\":\"2030-01-01T00:00:00Z\",\"reason\":\"\"}", "spec.freeze.reason" },
        { "freeze reason huge", "spec.freeze", "{\"until\":\"2030-01-01T00:00:00Z\",\"reason\":" + JsonSerializer.Serialize(new string('r', 2000)) + "}", "spec.freeze.reason" },
        { "freeze until not a time", "spec.freeze", "{\"until\":\"tomorrow\",\"reason\":\"x\"}", "spec.freeze.until" },
        { "pin at zero", "spec.pin", "{\"replicas\":0,\"until\":\"2030-01-01T00:00:00Z\",\"reason\":\"x\"}", "spec.pin.replicas" },
        { "pin without reason", "spec.pin", "{\"replicas\":3,\"until\":\"2030-01-01T00:00:00Z\",\"reason\":\"\"}", "spec.pin.reason" },
        { "pin reason with a terminal escape", "spec.pin", "{\"replicas\":3,\"until\":\"2030-01-01T00:00:00Z\",\"reason\":\"\\u001b[2Jgone\"}", "spec.pin.reason" },
        { "freeze reason reading backwards", "spec.freeze", "{\"until\":\"2030-01-01T00:00:00Z\",\"reason\":\"release \\u202egnp.exe\"}", "spec.freeze.reason" },
        { "expected event reason with a NUL", "spec.expectedEvents", "[{\"name\":\"push\",\"at\":\"2030-01-01T00:00:00Z\",\"durationSeconds\":600,\"replicas\":4,\"reason\":\"a\\u0000b\"}]", "spec.expectedEvents[0].reason" },
        { "schedule cron invalid", "spec.schedules", "[{\"name\":\"gala\",\"cron\":\"not a cron\",\"durationSeconds\":60,\"minReplicas\":3}]", "spec.schedules[0].cron" },
        { "schedule floor above max", "spec.schedules", "[{\"name\":\"gala\",\"cron\":\"0 20 * * *\",\"durationSeconds\":60,\"minReplicas\":500}]", "spec.schedules[0].minReplicas" },
        { "schedule excluded day not a day", "spec.schedules", "[{\"name\":\"gala\",\"cron\":\"0 20 * * *\",\"durationSeconds\":60,\"minReplicas\":3,\"excludeDates\":[\"2026-10-01\",\"2026-02-30\"]}]", "spec.schedules[0].excludeDates[1]" },
        { "schedule excluded days null", "spec.schedules", "[{\"name\":\"gala\",\"cron\":\"0 20 * * *\",\"durationSeconds\":60,\"minReplicas\":3,\"excludeDates\":null}]", "spec.schedules[0].excludeDates" },
        { "schedule excluded day null", "spec.schedules", "[{\"name\":\"gala\",\"cron\":\"0 20 * * *\",\"durationSeconds\":60,\"minReplicas\":3,\"excludeDates\":[null]}]", "spec.schedules[0].excludeDates[0]" },
        { "schedule excluded day a number", "spec.schedules", "[{\"name\":\"gala\",\"cron\":\"0 20 * * *\",\"durationSeconds\":60,\"minReplicas\":3,\"excludeDates\":[20261001]}]", "spec.schedules[0].excludeDates[0]" },
        { "prediction growth zero", "spec.prediction", "{\"enabled\":true,\"maxGrowthFactor\":0}", "spec.prediction.maxGrowthFactor" },
        // Upper bounds too: 1e300 was accepted and capped nothing.
        { "prediction growth 1e300", "spec.prediction", "{\"enabled\":true,\"maxGrowthFactor\":1e300}", "spec.prediction.maxGrowthFactor" },
        { "cooldown of 68 years", "spec.behavior.scaleUp.cooldownSeconds", "2147483647", "spec.behavior.scaleUp.cooldownSeconds" },
        { "step percent 1e300", "spec.behavior.scaleUp.maxStep", "{\"percent\":1e300}", "spec.behavior.scaleUp.maxStep.percent" },
        { "two-person percent 1e300", "spec.approval.twoPersonRule", "{\"aboveStepPercent\":1e300}", "spec.approval.twoPersonRule.aboveStepPercent" },
        { "behavior period zero", "spec.behavior.scaleUp.periodSeconds", "0", "spec.behavior.scaleUp.periodSeconds" },
        // JSON null where the model has a list or a string crashed the validators (500) instead of naming the field.
        { "metrics null", "spec.metrics", "null", "spec.metrics" },
        { "metric entry null", "spec.metrics[0]", "null", "spec.metrics[0]" },
        { "metric query null", "spec.metrics[0].query", "null", "spec.metrics[0].query" },
        { "target name null", "spec.target.name", "null", "spec.target.name" },
        { "approvers null", "spec.approval.approvers", "null", "spec.approval.approvers" },
        { "schedules null", "spec.schedules", "null", "spec.schedules" },
        { "schedule entry null", "spec.schedules", "[null]", "spec.schedules[0]" },
        { "expected events null", "spec.expectedEvents", "null", "spec.expectedEvents" },
        { "expected event entry null", "spec.expectedEvents", "[null]", "spec.expectedEvents[0]" },
        // Every list has a limit too, not only the 1 MiB body: 5,000 metrics were 5,000 queries per evaluation.
        { "metrics too many", "spec.metrics", "[" + string.Join(',', Enumerable.Range(0, 21).Select(i => $$"""{"name":"m{{i}}","query":"up","target":1}""")) + "]", "spec.metrics" },
        { "schedules too many", "spec.schedules", "[" + string.Join(',', Enumerable.Range(0, 51).Select(i => $$"""{"name":"s{{i}}","cron":"0 20 * * *","durationSeconds":60,"minReplicas":2}""")) + "]", "spec.schedules" },
        { "escalation receivers too many", "spec.approval.escalation", $$"""{"afterSeconds":60,"receivers":{{JsonSerializer.Serialize(Enumerable.Range(0, 51).Select(i => $"u{i}"))}}}""", "spec.approval.escalation.receivers" },
        { "escalation receiver too long", "spec.approval.escalation", $$"""{"afterSeconds":60,"receivers":["{{new string('u', 100)}}"]}""", "spec.approval.escalation.receivers" },
        { "notice group too long", "spec.notifications", $$"""{"openConversationId":"{{new string('c', 300)}}"}""", "spec.notifications.openConversationId" },
        { "notice webhook name too long", "spec.notifications", $$"""{"webhook":"{{new string('w', 300)}}"}""", "spec.notifications.webhook" },
        { "leading signal query null", "spec.leadingSignal", "{\"name\":\"push\",\"query\":null,\"requestsPerUnit\":0.1}", "spec.leadingSignal.query" },
    };

    [Fact]
    public void Cases_AtLeastFifty() => Assert.True(Cases.Count >= 50, $"{Cases.Count} cases");

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task BadPolicy_ValidateAndPut_400NamingTheField_NothingStored(string what, string path, string? value, string expectedKey)
    {
        var body = Mutate(JsonSerializer.SerializeToNode(TestPolicies.Approval("shop", "bad-policy"), Http.Json)!.AsObject(), path, value);
        using var client = _server.ClientWith(AdminToken);

        using var validate = await client.PostAsync("/api/v1/policies/validate", Json(body));
        using var put = await client.PutAsync("/api/v1/policies/shop/bad-policy", Json(body));

        foreach (var response in new[] { validate, put })
        {
            var text = await response.Content.ReadAsStringAsync();
            Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"{what}: {(int)response.StatusCode} {text}");
            var keys = JsonDocument.Parse(text).RootElement.GetProperty("errors").EnumerateObject().Select(e => e.Name).ToList();
            Assert.True(keys.Any(k => k.StartsWith(expectedKey, StringComparison.Ordinal)), $"{what}: expected {expectedKey}, got {string.Join(", ", keys)}");
        }

        Assert.Null(await _server.Policies.GetAsync("shop", "bad-policy", default));
    }

    /// <summary>kubectl's strict decoding matches names exactly: a lenient reader took "MinReplicas" for "minReplicas".</summary>
    [Theory]
    [InlineData("minReplicas", "MinReplicas")]
    [InlineData("tolerance", "TOLERANCE")]
    [InlineData("prediction", "Prediction")]
    public async Task FieldNameInAnotherCase_400NamingIt_NothingStored(string name, string renamed)
    {
        var body = JsonNode.Parse(JsonSerializer.Serialize(TestPolicies.Approval("shop", "bad-policy"), Http.Json))!.AsObject();
        var spec = body["spec"]!.AsObject();
        var value = spec[name]!.DeepClone();
        spec.Remove(name);
        spec[renamed] = value;
        using var client = _server.ClientWith(AdminToken);

        using var put = await client.PutAsync("/api/v1/policies/shop/bad-policy", Json(body));

        var text = await put.Content.ReadAsStringAsync();
        Assert.True(put.StatusCode == HttpStatusCode.BadRequest, $"{(int)put.StatusCode} {text}");
        Assert.Contains($"spec.{renamed} is not a known field", text, StringComparison.Ordinal);
        Assert.Null(await _server.Policies.GetAsync("shop", "bad-policy", default));
    }

    private static StringContent Json(JsonNode body) => new(body.ToJsonString(), Encoding.UTF8, "application/json");

    /// <summary>Sets (or, for a null value, removes) the node at a dotted path with [i] indexes, creating objects on the way.</summary>
    private static JsonObject Mutate(JsonObject root, string path, string? value)
    {
        var parts = path.Split('.');
        JsonNode current = root;
        for (var i = 0; i < parts.Length - 1; i++)
        {
            current = Step(current, parts[i]) ?? (current.AsObject()[parts[i]] = new JsonObject());
        }

        var last = parts[^1];
        if (last.EndsWith(']'))
        {
            var name = last[..last.IndexOf('[', StringComparison.Ordinal)];
            var index = int.Parse(last[(last.IndexOf('[', StringComparison.Ordinal) + 1)..^1], System.Globalization.CultureInfo.InvariantCulture);
            current[name]!.AsArray()[index] = value is null ? null : JsonNode.Parse(value);
        }
        else if (value is null)
        {
            current.AsObject().Remove(last);
        }
        else
        {
            current.AsObject()[last] = JsonNode.Parse(value);
        }

        return root;
    }

    private static JsonNode? Step(JsonNode node, string part)
    {
        if (!part.EndsWith(']'))
        {
            return node[part];
        }

        var open = part.IndexOf('[', StringComparison.Ordinal);
        return node[part[..open]]![int.Parse(part[(open + 1)..^1], System.Globalization.CultureInfo.InvariantCulture)];
    }
}
