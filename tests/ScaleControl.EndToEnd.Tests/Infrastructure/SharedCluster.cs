using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;

using ScaleControl.Testing.Server;

namespace ScaleControl.EndToEnd.Tests.Infrastructure;

/// <summary>
/// A sandbox server used only as the cluster and the DingTalk emulator that ScaleControl replicas (real server
/// processes in cluster mode) share. Its own control loop never starts and its own DingTalk client points nowhere, so
/// every tap, every card and every write comes from the replicas under test. Its request journal shows what they wrote.
/// The chart's ServiceAccount and RBAC are installed in it and the replicas run with that ServiceAccount's token, so
/// whatever they do is also a check of the chart's least privilege: a request the chart's RBAC refuses fails the test.
/// </summary>
public sealed class SharedCluster : IAsyncDisposable
{
    public const string Namespace = "shop";
    public const string Workload = "checkout-api";

    /// <summary>API tokens of the replicas: two approvers of checkout-api (zhangsan, lisi) and one operator who is not (wangwu).</summary>
    public static readonly IReadOnlyDictionary<string, string> Tokens = new Dictionary<string, string>
    {
        ["zhangsan"] = "t-zhangsan",
        ["lisi"] = "t-lisi",
        ["wangwu"] = "t-wangwu",
    };

    private readonly JsonElement _info;
    private readonly List<(string Identity, SandboxServer Server)> _replicas = [];

    private SharedCluster(SandboxServer sandbox, JsonElement info, string kubeconfig)
    {
        Sandbox = sandbox;
        _info = info;
        Kubeconfig = kubeconfig;
        // A wait on the cluster that times out shows what the replicas said and what they asked of the cluster.
        sandbox.Diagnostics = DescribeAsync;
    }

    public SandboxServer Sandbox { get; }

    /// <summary>The chart's ServiceAccount's kubeconfig, which the replicas use (the test itself uses the admin's, <c>Sandbox.Kubectl</c>).</summary>
    public string Kubeconfig { get; }

    /// <summary>The emulated DingTalk tenant (apps, users, groups, templates).</summary>
    public JsonElement DingTalk => _info;

    /// <summary>The emulator's first group (the open conversation id a notice group setting names).</summary>
    public string FirstGroup => _info.GetProperty("groups")[0].GetProperty("openConversationId").GetString()!;

    /// <param name="callbackTimeoutSeconds">The emulator's wait for a tap's answer (DingTalk's 2 s unless a load test asks for slack).</param>
    /// <param name="sandbox">More settings of the sandbox (<c>ScaleControl__Sandbox__*</c>: traffic, nodes, seeded policies).</param>
    public static async Task<SharedCluster> StartAsync(double callbackTimeoutSeconds = 2, params (string Key, string Value)[] sandbox)
    {
        var server = await SandboxServer.StartAsync(Fast.Settings([.. sandbox,
            ("ScaleControl__Sandbox__DingTalkCallbackTimeoutSeconds", callbackTimeoutSeconds.ToString(CultureInfo.InvariantCulture)),
            ("ScaleControl__Loop__StartupDelaySeconds", "600"),
            ("ScaleControl__DingTalk__AppKey", "not-this-process"),
            ("ScaleControl__DingTalk__AppSecret", "unused"),
            ("ScaleControl__DingTalk__RobotCode", "unused"),
            ("ScaleControl__DingTalk__CardTemplateId", "unused"),
            ("ScaleControl__DingTalk__ApiBaseUrl", "http://127.0.0.1:9/"),
            ("ScaleControl__DingTalk__OapiBaseUrl", "http://127.0.0.1:9/")]));
        try
        {
            return new SharedCluster(server, await server.GetJson("/sandbox/dingtalk/info"), await ChartRbac.InstallAsync(server));
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }
    }

    /// <summary>A ScaleControl replica on this cluster: leader election with a short lease, DingTalk over Stream to the emulator.</summary>
    public Task<SandboxServer> StartReplicaAsync(string identity, params (string Key, string Value)[] extra)
    {
        var app = _info.GetProperty("apps")[0];
        var settings = new Dictionary<string, string>
        {
            ["ScaleControl__Mode"] = "Cluster",
            ["ScaleControl__Identity"] = identity,
            ["ScaleControl__Kubernetes__KubeconfigPath"] = Kubeconfig,
            ["ScaleControl__Kubernetes__LeaderElection__Namespace"] = ChartRbac.Namespace, // the chart's Role grants Leases there only
            // Short so a stopped leader is replaced within seconds; a 2 s renew deadline lost the lease again and again on a
            // CI runner starved by other test projects (every tick of the new leader then stopped before its writes).
            ["ScaleControl__Kubernetes__LeaderElection__LeaseDurationSeconds"] = "6",
            ["ScaleControl__Kubernetes__LeaderElection__RenewDeadlineSeconds"] = "4",
            ["ScaleControl__Kubernetes__LeaderElection__RetryPeriodSeconds"] = "0.5",
            ["ScaleControl__Prometheus__Url"] = "http://127.0.0.1:9",
            // Short so a crashed replica's claim is resumed soon, long enough that a live apply on a busy runner is not.
            ["ScaleControl__Loop__ApplyClaimSeconds"] = "8",
            ["ScaleControl__DingTalk__ApiBaseUrl"] = _info.GetProperty("apiBaseUrl").GetString()!,
            ["ScaleControl__DingTalk__OapiBaseUrl"] = _info.GetProperty("oapiBaseUrl").GetString()!,
            ["ScaleControl__DingTalk__AppKey"] = app.GetProperty("appKey").GetString()!,
            ["ScaleControl__DingTalk__AppSecret"] = app.GetProperty("appSecret").GetString()!,
            ["ScaleControl__DingTalk__RobotCode"] = app.GetProperty("robotCode").GetString()!,
            ["ScaleControl__DingTalk__CardTemplateId"] = _info.GetProperty("templates")[0].GetProperty("id").GetString()!,
            ["ScaleControl__DingTalk__MaxRetryAttempts"] = "0",
            // Every replica signs and verifies approvals with the same key, as the chart's Secret gives them.
            ["ScaleControl__Approvals__SigningKey"] = "shared-cluster-test-signing-key-0123456789",
            ["SCALECONTROL_ADMIN_TOKEN"] = "t-admin",
        };
        var index = 0;
        foreach (var (user, token) in Tokens)
        {
            settings[$"ScaleControl__Auth__Tokens__{index}__Token"] = token;
            settings[$"ScaleControl__Auth__Tokens__{index}__User"] = user;
            settings[$"ScaleControl__Auth__Tokens__{index}__Role"] = "operator";
            settings[$"ScaleControl__Auth__Tokens__{index}__Namespaces__0"] = Namespace;
            index++;
        }

        foreach (var (key, value) in extra)
        {
            settings[key] = value;
        }

        return StartTrackedAsync(identity, Fast.Settings([.. settings.Select(s => (s.Key, s.Value))]));
    }

    private async Task<SandboxServer> StartTrackedAsync(string identity, Dictionary<string, string> settings)
    {
        var replica = await SandboxServer.StartAsync(settings);
        lock (_replicas)
        {
            _replicas.Add((identity, replica));
        }

        return replica;
    }

    /// <summary>
    /// For a failure message: each replica's last output and the cluster's last requests from the replicas that wrote
    /// or failed (lease renewals and reads that succeeded left out), oldest first.
    /// </summary>
    public async Task<string> DescribeAsync()
    {
        var text = new System.Text.StringBuilder();
        List<(string Identity, SandboxServer Server)> replicas;
        lock (_replicas)
        {
            replicas = [.. _replicas];
        }

        foreach (var (identity, replica) in replicas)
        {
            text.Append(CultureInfo.InvariantCulture, $"--- {identity}{(replica.HasExited ? " (exited)" : "")} ---\n{replica.OutputTail()}\n");
        }

        if (!Sandbox.HasExited)
        {
            var notable = (await Sandbox.GetJson("/sandbox/k8s-control/journal")).EnumerateArray()
                .Where(e => e.TryGetProperty("userAgent", out var agent) && agent.GetString()?.StartsWith("scalecontrol/", StringComparison.Ordinal) == true
                    && (e.GetProperty("verb").GetString() is not ("get" or "list" or "watch") || e.GetProperty("statusCode").GetInt32() >= 300)
                    && !(e.GetProperty("resource").GetString() == "leases" && e.GetProperty("statusCode").GetInt32() < 300))
                .TakeLast(60)
                .Select(e => $"{e.GetProperty("time").GetDateTimeOffset():HH:mm:ss.fff} {e.GetProperty("userAgent").GetString()} {e.GetProperty("verb").GetString()} "
                    + $"{e.GetProperty("resource").GetString()} {e.GetProperty("namespace")}/{e.GetProperty("name")} → {e.GetProperty("statusCode").GetInt32()}"
                    + (e.TryGetProperty("servedStatusCode", out var served) && served.ValueKind == JsonValueKind.Number ? $" (served {served.GetInt32()})" : ""));
            text.Append("--- cluster journal: the replicas' last writes and failed requests ---\n").AppendJoin('\n', notable);
        }

        return text.ToString();
    }

    /// <summary>
    /// A pending proposal for checkout-api (current → current + <paramref name="step"/>), written with kubectl as the
    /// control loop would: the replicas deliver its card (the card reconciler) and apply it once approved.
    /// </summary>
    public async Task<(string Name, int From, int To)> CreateProposalAsync(string name, int step = 3)
    {
        var from = await Sandbox.Kubectl.ReplicasAsync("deployment", Namespace, Workload);
        var to = from + step;
        var expires = DateTimeOffset.UtcNow.AddMinutes(10).ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
        var yaml = $"""
            apiVersion: scalecontrol.io/v1alpha1
            kind: ScaleProposal
            metadata:
              name: {name}
              namespace: {Namespace}
              labels:
                scalecontrol.io/policy: {Workload}
                scalecontrol.io/target: {Workload}
            spec:
              policyName: {Workload}
              target: {"{"}kind: Deployment, name: {Workload}{"}"}
              fromReplicas: {from}
              toReplicas: {to}
              reason: reliability test
              requestedBy: scalecontrol
              requiredApprovals: 1
              approvers: [zhangsan, lisi]
              expiresAt: {expires}
            """;
        var file = Path.Combine(Sandbox.WorkingDirectory, name + ".yaml");
        await File.WriteAllTextAsync(file, yaml);
        await Sandbox.Kubectl.RunAsync("apply", "-f", file);
        return (name, from, to);
    }

    public async Task<JsonElement> ProposalAsync(string name) =>
        JsonDocument.Parse((await Sandbox.Kubectl.RunAsync("get", "scaleproposals.scalecontrol.io", name, "-n", Namespace, "-o", "json")).StdOut).RootElement.Clone();

    /// <summary>Waits until the proposal reaches <paramref name="phase"/> (the card may show an outcome a moment before the proposal records it).</summary>
    public Task<JsonElement> ProposalInPhaseAsync(string name, string phase, int seconds = 60) =>
        Sandbox.EventuallyJson(async () =>
        {
            var proposal = await ProposalAsync(name);
            return proposal.TryGetProperty("status", out var status) && status.GetProperty("phase").GetString() == phase ? proposal : null;
        }, $"proposal {name} is {phase}", seconds);

    /// <summary>
    /// The proposal's status records its card: the card is posted first and recorded after, so a test that counts the
    /// writes a tap makes waits for this before it clears the journal.
    /// </summary>
    public Task<JsonElement> ProposalRecordsCardAsync(string name, int seconds = 60) =>
        Sandbox.EventuallyJson(async () =>
        {
            var proposal = await ProposalAsync(name);
            return proposal.TryGetProperty("status", out var status) && status.TryGetProperty("card", out var card)
                && card.ValueKind == JsonValueKind.Object ? proposal : (JsonElement?)null;
        }, $"proposal {name} records its card", seconds);

    public Task<JsonElement> CardAsync(string proposal) => Sandbox.GetJson($"/sandbox/dingtalk/cards/{Namespace}.{proposal}");

    /// <summary>The card's outTrackId as the product makes it: "namespace.name", prefixed "instance:" for a named instance.</summary>
    /// <summary>An Auto policy for <paramref name="workload"/> whose schedule floor holds now: the loop scales to the floor even with no metrics (fail static holds the rest).</summary>
    public static string AutoPolicyWithFloor(string workload, int floor)
    {
        var start = DateTimeOffset.UtcNow.AddHours(-1).ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
        var end = DateTimeOffset.UtcNow.AddHours(2).ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
        return $"""
            apiVersion: scalecontrol.io/v1alpha1
            kind: ScalePolicy
            metadata:
              name: {workload}
              namespace: {Namespace}
            spec:
              target: {"{"}kind: Deployment, name: {workload}{"}"}
              metrics:
                - name: qps
                  query: sum(rate(http_requests_total{"{"}workload="{workload}"{"}"}[1m]))
                  target: 100
              minReplicas: 1
              maxReplicas: 10
              mode: Auto
              schedules:
                - name: floor
                  start: "{start}"
                  end: "{end}"
                  minReplicas: {floor}
              evaluationIntervalSeconds: 5
            """;
    }

    public static string CardId(string proposal, string? instance = null) =>
        Uri.EscapeDataString(instance is null ? $"{Namespace}.{proposal}" : $"{instance}:{Namespace}.{proposal}");

    /// <summary>Waits until the card of <paramref name="proposal"/> is in the group and shows <paramref name="status"/>.</summary>
    public Task<JsonElement> CardShowsAsync(string proposal, string status, int seconds = 45, string? instance = null) =>
        Sandbox.EventuallyJson(async () =>
        {
            using var response = await Sandbox.Http.GetAsync($"/sandbox/dingtalk/cards/{CardId(proposal, instance)}");
            if (!response.IsSuccessStatusCode)
            {
                return null;
            }

            var card = await response.Content.ReadFromJsonAsync<JsonElement>();
            return card.GetProperty("cardData").GetProperty("status").GetString() == status ? card : null;
        }, $"card {proposal} shows {status}", seconds);

    /// <summary>Taps a button on the emulated phone; answers the tap record (status, reply) or the emulator's refusal.</summary>
    public async Task<JsonElement> TapAsync(string proposal, string user, string action = "approve", string? instance = null)
    {
        using var content = JsonContent.Create(new { userId = user, actionIds = new[] { action }, @params = new { action } });
        using var response = await Sandbox.Http.PostAsync($"/sandbox/dingtalk/cards/{CardId(proposal, instance)}/tap", content);
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    /// <summary>A tap that the emulator must pass on to ScaleControl: its callback result, or a failure naming why it was refused.</summary>
    public async Task<JsonElement> TapResultAsync(string proposal, string user, string action = "approve", string? instance = null)
    {
        var answer = await TapAsync(proposal, user, action, instance);
        Assert.True(answer.TryGetProperty("tap", out var tap), $"{user}'s {action} on {proposal} was refused: {answer}");
        return tap;
    }

    /// <summary>Writes (create, update, patch, delete) the cluster served, oldest first.</summary>
    public async Task<IReadOnlyList<JsonElement>> WritesAsync() =>
        [.. (await Sandbox.GetJson("/sandbox/k8s-control/journal?verb=create,update,patch,delete")).EnumerateArray()];

    /// <summary>Writes to the workload's scale (the scale writes an approval must make exactly once).</summary>
    public async Task<int> ScaleWritesAsync() =>
        (await WritesAsync()).Count(w => w.GetProperty("resource").GetString() == "deployments/scale" && w.GetProperty("name").GetString() == Workload
            && w.GetProperty("statusCode").GetInt32() < 300);

    /// <summary>Makes the emulated DingTalk fail an API (see the sandbox's FaultRule), until <see cref="ClearDingTalkFaultsAsync"/>.</summary>
    public Task ArmDingTalkFaultAsync(string api, string kind = "SystemBusy", int times = 10_000) =>
        Sandbox.PostJson("/sandbox/dingtalk/faults", new { api, kind, times });

    public async Task ClearDingTalkFaultsAsync()
    {
        using var response = await Sandbox.Http.DeleteAsync("/sandbox/dingtalk/faults");
        response.EnsureSuccessStatusCode();
    }

    public async Task ClearJournalAsync()
    {
        await ThrowIfForbiddenAsync();
        using var response = await Sandbox.Http.DeleteAsync("/sandbox/k8s-control/journal");
        response.EnsureSuccessStatusCode();
    }

    /// <summary>
    /// Requests of the replicas (User-Agent <c>scalecontrol/…</c>) that the cluster refused with 403: each one is a rule
    /// the chart's RBAC lacks (or a request the product should not make).
    /// </summary>
    public async Task<IReadOnlyList<string>> ForbiddenAsync() =>
        [.. (await Sandbox.GetJson("/sandbox/k8s-control/journal")).EnumerateArray()
            .Where(e => e.GetProperty("statusCode").GetInt32() == 403
                && e.TryGetProperty("userAgent", out var agent) && agent.GetString()?.StartsWith("scalecontrol/", StringComparison.Ordinal) == true)
            .Select(e => $"{e.GetProperty("verb")} {e.GetProperty("resource")} in API group \"{e.GetProperty("apiGroup")}\" "
                + (e.GetProperty("namespace").GetString() is { Length: > 0 } ns ? $"in the namespace \"{ns}\"" : "at the cluster scope"))
            .Distinct()];

    private async Task ThrowIfForbiddenAsync()
    {
        var forbidden = Sandbox.HasExited ? [] : await ForbiddenAsync();
        if (forbidden.Count > 0)
        {
            throw new InvalidOperationException($"the chart's RBAC refused requests of the product ({ChartRbac.User}):\n{string.Join('\n', forbidden)}");
        }
    }

    /// <summary>Stops the cluster; fails when the chart's RBAC refused any request of the replicas meanwhile.</summary>
    public async ValueTask DisposeAsync()
    {
        try
        {
            await ThrowIfForbiddenAsync();
        }
        finally
        {
            await Sandbox.DisposeAsync();
        }
    }
}
