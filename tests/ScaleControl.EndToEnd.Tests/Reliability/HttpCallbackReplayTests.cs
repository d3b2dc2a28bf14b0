using System.Globalization;
using System.Net;
using System.Text;
using ScaleControl.DingTalk.Api;
using ScaleControl.DingTalk.Callbacks;
using ScaleControl.EndToEnd.Tests.Infrastructure;
using ScaleControl.Testing.Server;

namespace ScaleControl.EndToEnd.Tests.Reliability;

/// <summary>
/// HTTP callback mode on two replicas behind one Service: DingTalk's signature covers only the timestamp, so a captured
/// header pair replayed to the other replica, with a body of the attacker's choosing, must be refused there too
/// (docs/security.md). The cluster-wide refusal is the Event the first replica created for the signature.
/// </summary>
public sealed class HttpCallbackReplayTests
{
    private const string Secret = "replay-test-callback-secret";

    [Fact]
    public async Task SignatureUsedOnOneReplica_ReplayedToTheOtherWithAnotherBody_Refused_NothingChanges()
    {
        await using var cluster = await SharedCluster.StartAsync();
        (string, string)[] http = [("ScaleControl__DingTalk__CallbackMode", "Http"), ("ScaleControl__DingTalk__CallbackRouteKey", "replay-test"), ("ScaleControl__DingTalk__CallbackApiSecret", Secret)];
        await using var replicaA = await cluster.StartReplicaAsync("replica-a", http);
        await using var replicaB = await cluster.StartReplicaAsync("replica-b", http);
        var (genuine, _, _) = await cluster.CreateProposalAsync("replay-genuine", step: 1);
        var (target, _, _) = await cluster.CreateProposalAsync("replay-target", step: 2);

        // zhangsan's genuine reject reaches replica A (tried again, each time freshly signed, until A's cache has the proposal).
        (string Timestamp, string Signature) captured = default;
        await cluster.Sandbox.Eventually(async () =>
        {
            captured = Sign();
            using var answer = await PostAsync(replicaA, captured, Tap(genuine, "zhangsan", "reject"));
            return answer.StatusCode == HttpStatusCode.OK && Phase(await cluster.ProposalAsync(genuine)) == "Rejected";
        }, "replica A records zhangsan's reject");

        // The captured headers, sent to replica B with lisi approving the other proposal.
        using var replayed = await PostAsync(replicaB, captured, Tap(target, "lisi", "approve"));

        Assert.Equal(HttpStatusCode.Unauthorized, replayed.StatusCode);
        var afterReplay = Phase(await cluster.ProposalAsync(target));
        Assert.True(afterReplay is not ("Approved" or "Applying" or "Applied"), $"the replay approved {target}: {afterReplay}");
        Assert.Contains("already used on another replica", replicaB.Output, StringComparison.Ordinal);

        // The same body freshly signed is taken by replica B: only the reused signature was refused.
        using var fresh = await PostAsync(replicaB, Sign(), Tap(target, "lisi", "approve"));
        Assert.Equal(HttpStatusCode.OK, fresh.StatusCode);
        await cluster.ProposalInPhaseAsync(target, "Applied");
    }

    private static (string Timestamp, string Signature) Sign()
    {
        var timestamp = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture);
        return (timestamp, DingTalkSignatures.CardCallback(Secret, timestamp));
    }

    private static string Tap(string proposal, string user, string action) => new System.Text.Json.Nodes.JsonObject
    {
        ["type"] = "actionCallback",
        ["outTrackId"] = $"{SharedCluster.Namespace}.{proposal}",
        ["corpId"] = "dingsandboxcorp001",
        ["userId"] = user,
        ["userIdType"] = 1,
        ["content"] = new System.Text.Json.Nodes.JsonObject
        {
            ["cardPrivateData"] = new System.Text.Json.Nodes.JsonObject { ["actionIds"] = new System.Text.Json.Nodes.JsonArray(action), ["params"] = new System.Text.Json.Nodes.JsonObject { ["action"] = action } },
        }.ToJsonString(),
    }.ToJsonString();

    private static string? Phase(System.Text.Json.JsonElement proposal) =>
        proposal.TryGetProperty("status", out var status) && status.TryGetProperty("phase", out var phase) ? phase.GetString() : null;

    private static async Task<HttpResponseMessage> PostAsync(SandboxServer replica, (string Timestamp, string Signature) headers, string body)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(replica.BaseUrl, CardCallbackEndpoint.DefaultPattern))
        {
            Content = new StringContent(body, Encoding.UTF8, "application/json"),
        };
        request.Headers.Add(CardCallbackSignatureVerifier.TimestampHeader, headers.Timestamp);
        request.Headers.Add(CardCallbackSignatureVerifier.SignatureHeader, headers.Signature);
        return await replica.Http.SendAsync(request);
    }
}
