using System.Text.Json;
using ScaleControl.EndToEnd.Tests.Infrastructure;

namespace ScaleControl.EndToEnd.Tests.Reliability;

/// <summary>
/// Several clusters, one robot, chat: prod and staging share one DingTalk app over Stream and DingTalk pushes each
/// message to any one connection of the app. A command that starts with an instance's name (<c>staging: …</c>) is
/// answered by that instance and handed back by the other; an unprefixed command in prod's group is prod's; a
/// command for an instance that does not exist is answered by nobody. Whose answer it was shows in it: only staging's
/// cluster has the policy <c>shop/staging-only</c>.
/// </summary>
public sealed class SharedRobotChatTests
{
    private const string StagingOnly = "staging-only";
    private const string Status = $"status shop/{StagingOnly}";
    private const string Header = $"**shop/{StagingOnly}**";

    /// <summary>A policy only staging's cluster has: only staging can show its status.</summary>
    private const string StagingOnlyPolicy = $$"""
        apiVersion: scalecontrol.io/v1alpha1
        kind: ScalePolicy
        metadata:
          name: {{StagingOnly}}
          namespace: shop
        spec:
          target: {kind: Deployment, name: {{StagingOnly}}}
          metrics:
            - name: qps
              query: sum(rate(http_requests_total{workload="{{StagingOnly}}"}[1m]))
              target: 100
          minReplicas: 1
          maxReplicas: 10
          mode: Auto
          evaluationIntervalSeconds: 5
        """;

    /// <summary>zhangsan may command the robot in both clusters (an operator of shop).</summary>
    private static readonly (string, string)[] s_zhangsan =
    [
        ("ScaleControl__Auth__People__0__UserId", "zhangsan"),
        ("ScaleControl__Auth__People__0__Role", "operator"),
        ("ScaleControl__Auth__People__0__Namespaces__0", SharedCluster.Namespace),
    ];

    [Fact]
    public async Task ProdAndStagingOnOneRobot_ChatCommandAnsweredByTheInstanceItIsFor_HandedBackByTheOther()
    {
        await using var prod = await SharedCluster.StartAsync(callbackTimeoutSeconds: 20);
        await using var staging = await SharedCluster.StartAsync();
        var kubectl = staging.Sandbox.Kubectl;
        await kubectl.RunAsync("create", "deployment", StagingOnly, "--image=registry.example/staging-only:1", "--replicas=2", "-n", SharedCluster.Namespace);
        await kubectl.RunAsync("apply", "-f", kubectl.WriteFile($"{StagingOnly}.yaml", StagingOnlyPolicy));
        await using var prodReplica = await prod.StartReplicaAsync("prod-a",
            [.. s_zhangsan, ("ScaleControl__DingTalk__Instance", "prod"), ("ScaleControl__DingTalk__ChatConversationIds__0", prod.FirstGroup)]);
        await using var stagingReplica = await prod.StartReplicaAsync("staging-a",
            [.. s_zhangsan, ("ScaleControl__Kubernetes__KubeconfigPath", staging.Kubeconfig), ("ScaleControl__DingTalk__Instance", "staging")]);
        await prod.Sandbox.Eventually(async () => await ChatConnectionsAsync(prod) == 4, "prod's and staging's Stream connections listen to chat", 60);
        string Logs() => $"\n--- staging ---\n{Tail(stagingReplica.Output)}\n--- prod ---\n{Tail(prodReplica.Output)}";

        // In prod's group, addressed to staging: staging answers (prod hands it back if it gets it first).
        var toStaging = await AskAsync(prod, $"@ScaleControl staging: {Status}");
        Assert.True(toStaging.Contains(Header, StringComparison.Ordinal), toStaging + Logs());

        // Unprefixed in prod's group: prod's (staging hands it back) — and prod has no such policy.
        var toProd = await AskAsync(prod, $"@ScaleControl {Status}");
        Assert.False(toProd.Contains(Header, StringComparison.Ordinal), toProd + Logs());

        // Addressed to an instance nobody is: every connection hands it back, nobody answers.
        var nobody = await TypeAsync(prod, $"@ScaleControl test: {Status}");
        Assert.Equal("HandedBack", nobody.GetProperty("status").GetString());
        Assert.Equal(2, (await RepliesAsync(prod)).Count);
    }

    /// <summary>Types in prod's group and waits for the one answer; the push was acknowledged as handled.</summary>
    private static async Task<string> AskAsync(SharedCluster cluster, string text)
    {
        var before = (await RepliesAsync(cluster)).Count;
        var push = await TypeAsync(cluster, text);
        Assert.Equal("Acked", push.GetProperty("status").GetString());
        var replies = await cluster.Sandbox.Eventually(async () => await RepliesAsync(cluster) is { } all && all.Count > before ? all : null, $"the answer to '{text}'", 30);
        return replies[before];
    }

    private static string Tail(string text) => text.Length > 5000 ? text[^5000..] : text;

    private static Task<JsonElement> TypeAsync(SharedCluster cluster, string text) =>
        cluster.Sandbox.PostJson("/sandbox/dingtalk/messages", new { from = "zhangsan", conversationId = cluster.FirstGroup, text });

    /// <summary>What the robot said (in the group or privately), oldest first: the people's own messages and DINGs left out.</summary>
    private static async Task<List<string>> RepliesAsync(SharedCluster cluster) =>
        [.. (await cluster.Sandbox.GetJson("/sandbox/dingtalk/messages")).EnumerateArray()
            .Where(m => m.GetProperty("kind").GetString() is not ("UserMessage" or "Ding"))
            .Select(m => $"{m.GetProperty("kind").GetString()}: {m.GetProperty("text").GetString()}")];

    private static async Task<int> ChatConnectionsAsync(SharedCluster cluster) =>
        (await cluster.Sandbox.GetJson("/sandbox/dingtalk/stream/connections")).EnumerateArray()
            .Count(c => c.GetProperty("isOpen").GetBoolean() && !c.GetProperty("disconnecting").GetBoolean()
                && c.GetProperty("subscriptions").EnumerateArray().Any(s => s.GetProperty("topic").GetString() == "/v1.0/im/bot/messages/get"));
}
