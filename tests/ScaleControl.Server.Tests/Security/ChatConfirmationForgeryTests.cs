using System.Text.Json;
using System.Text.Json.Nodes;
using ScaleControl.Core.Commands;
using ScaleControl.Core.Policies;
using ScaleControl.Core.Ports;
using ScaleControl.Server.Chat;
using ScaleControl.Server.Tests.Infrastructure;
using ScaleControl.Testing.Kubernetes;

namespace ScaleControl.Server.Tests.Security;

/// <summary>
/// Someone who may edit ScalePolicies writes pending chat confirmations (<see cref="ChatConfirmations"/>) with kubectl:
/// a pin "sent by zhangsan" that they may confirm themselves, then types <c>confirm &lt;code&gt;</c>. Before, ScaleControl
/// ran it and recorded it as zhangsan's. Confirmations are signed now (ChatConfirmationSigner). The real
/// server, chat commands and Kubernetes adapters against the sandbox API server, the forger's writes through real kubectl.
/// </summary>
public sealed class ChatConfirmationForgeryTests : IAsyncLifetime
{
    private const string Ns = "shop";
    private const string Workload = "checkout-api";
    private const string Other = "search-api";
    private static readonly JsonSerializerOptions s_json = new(JsonSerializerDefaults.Web);

    private ServerOnSandboxApi _world = null!;
    private ServerFactory _server = null!;
    private Kubectl _kubectl = null!;

    public async Task InitializeAsync()
    {
        _world = await ServerOnSandboxApi.StartAsync(Ns, Workload, Other);
        (_server, _kubectl) = (_world.Server, _world.Kubectl);
        await Store.UpsertAsync(TestPolicies.Auto(Ns, Workload), default);
        await Store.UpsertAsync(TestPolicies.Auto(Ns, Other), default);
    }

    public async Task DisposeAsync() => await _world.DisposeAsync();

    private IPolicyStore Store => _server.Service<IPolicyStore>();

    /// <summary>lisi writes zhangsan's pin below the minimum, confirmable by lisi, valid for a year, and confirms it.</summary>
    [Theory]
    [InlineData(null)]
    [InlineData("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=")]
    public async Task ForgedConfirmation_WrittenWithKubectl_ConfirmAnswersAsForAnUnknownCode_NothingRuns(string? signature)
    {
        await AnnotateAsync(Workload, ("FRGD23", Forged("FRGD23", _server.Time.GetUtcNow().AddDays(365), signature)));

        var reply = await SendAsync("lisi", new ConfirmCommand("FRGD23"));

        Assert.Equal((CommandOutcome.Refused, true), (reply.Outcome, reply.Private));
        Assert.Equal("No command waits for `FRGD23` (codes last 5 minutes and work once).", reply.Markdown);
        Assert.Equal(4, Replicas());
        Assert.Null((await StoredAsync(Workload)).Spec.Pin);
        Assert.Empty(_server.ConfirmationCards.Closed);
    }

    /// <summary>Its stored confirmation carries a signature, and running proves it verifies (one that does not never runs).</summary>
    [Fact]
    public async Task RealConfirmation_IsSigned_AndStillRuns()
    {
        var asked = await SendAsync("zhangsan", Pin());
        var code = Assert.Single(_server.ConfirmationCards.Sent).Code;
        var signature = (string?)JsonNode.Parse(StoredJson(Workload, code))!["signature"];

        var done = await SendAsync("zhangsan", new ConfirmCommand(code));

        Assert.Equal(CommandOutcome.NeedsConfirmation, asked.Outcome);
        Assert.False(string.IsNullOrEmpty(signature));
        Assert.Equal(CommandOutcome.Done, done.Outcome);
        Assert.Equal(1, Replicas());
        Assert.Equal("zhangsan", (await StoredAsync(Workload)).Spec.Pin?.By);
    }

    /// <summary>zhangsan's real <c>freeze shop/*</c> is confirmed and lifted; its stored confirmation, copied, must not freeze again.</summary>
    [Theory]
    [InlineData("to another policy")]
    [InlineData("under another code")]
    public async Task RealConfirmation_Copied_DoesNotRunAgain(string copy)
    {
        Assert.Equal(CommandOutcome.NeedsConfirmation, (await SendAsync("zhangsan", new FreezeCommand(Ns, null, TimeSpan.FromHours(1), "incident"))).Outcome);
        var code = Assert.Single(_server.ConfirmationCards.Sent).Code;
        var held = HeldOn(code);
        var json = StoredJson(held, code); // what the forger saw with kubectl get
        Assert.Equal(CommandOutcome.Done, (await SendAsync("zhangsan", new ConfirmCommand(code))).Outcome);
        Assert.Equal(CommandOutcome.Done, (await SendAsync("zhangsan", new UnfreezeCommand(Ns, null))).Outcome);

        var (policy, copyCode) = copy == "to another policy" ? (held == Workload ? Other : Workload, code) : (held, "ZZZZZZ");
        var copied = JsonNode.Parse(json)!;
        copied["code"] = copyCode;
        await AnnotateAsync(policy, (copyCode, copied.ToJsonString()));
        var replay = await SendAsync("zhangsan", new ConfirmCommand(copyCode));

        Assert.Equal(CommandOutcome.Refused, replay.Outcome);
        Assert.StartsWith($"No command waits for `{copyCode}`", replay.Markdown, StringComparison.Ordinal);
        Assert.Null((await StoredAsync(Workload)).Spec.Freeze);
        Assert.Null((await StoredAsync(Other)).Spec.Freeze);
    }

    [Fact]
    public async Task TwentyForgedConfirmations_DoNotBlockARealOne_TheyArePrunedByItsWrite()
    {
        var until = _server.Time.GetUtcNow().AddDays(365);
        await AnnotateAsync(Workload, [.. Enumerable.Range(0, ChatConfirmations.MaxPerPolicy).Select(i => ($"FRG{i:D3}", Forged($"FRG{i:D3}", until)))]);

        var asked = await SendAsync("zhangsan", Pin());

        Assert.Equal(CommandOutcome.NeedsConfirmation, asked.Outcome);
        var code = Assert.Single(_server.ConfirmationCards.Sent).Code;
        Assert.Equal([ChatConfirmations.AnnotationPrefix + code], ConfirmationKeys(await StoredAsync(Workload)));
        Assert.Equal(CommandOutcome.Done, (await SendAsync("zhangsan", new ConfirmCommand(code))).Outcome);
        Assert.Equal(1, Replicas());
    }

    /// <summary>A forged expired confirmation under the code of a card already closed as confirmed: the sweep must not rewrite that card.</summary>
    [Fact]
    public async Task ExpirySweep_LeavesAForgedExpiredConfirmation_DoesNotCloseACardUnderItsCode()
    {
        await SendAsync("zhangsan", Pin());
        var code = Assert.Single(_server.ConfirmationCards.Sent).Code;
        Assert.Equal(CommandOutcome.Done, (await SendAsync("zhangsan", new ConfirmCommand(code))).Outcome);
        await AnnotateAsync(Workload, (code, Forged(code, _server.Time.GetUtcNow().AddMinutes(-1))));

        await _server.Service<ConfirmationExpiry>().SweepAsync(await Store.ListAsync(null, default), default);

        Assert.Equal((code, "confirmed"), Assert.Single(_server.ConfirmationCards.Closed) is var closed ? (closed.Code, closed.Status) : default);
        Assert.Equal([ChatConfirmations.AnnotationPrefix + code], ConfirmationKeys(await StoredAsync(Workload)));
    }

    private static ScaleCommand Pin() => new(Ns, Workload, 4, 1, TimeSpan.FromMinutes(30), "drain");

    private Task<CommandReply> SendAsync(string sender, ChatCommand command) =>
        _server.Service<ICommandInbox>().ExecuteAsync(new CommandRequest(command, sender, sender, $"{command.Verb} …", "cidOnCall=="), default);

    /// <summary>zhangsan's pin to 1 replica as ScaleControl's JSON spells a confirmation, but lisi may confirm it; written by lisi.</summary>
    private static string Forged(string code, DateTimeOffset expiresAt, string? signature = null)
    {
        var pending = new JsonObject
        {
            ["code"] = code,
            ["request"] = JsonSerializer.SerializeToNode(
                new CommandRequest(Pin(), "zhangsan", "Zhang San", "scale shop/checkout-api 4->1 for 30m drain", "cidOnCall=="), s_json),
            ["approvers"] = new JsonArray("lisi"),
            ["otherApprover"] = true,
            ["expiresAt"] = expiresAt.ToString("O"),
            ["policy"] = $"{Ns}/{Workload}",
        };
        if (signature is not null)
        {
            pending["signature"] = signature;
        }

        return pending.ToJsonString();
    }

    /// <summary>The forger's <c>kubectl annotate</c> of confirmations onto <paramref name="policy"/>.</summary>
    private Task AnnotateAsync(string policy, params (string Code, string Json)[] confirmations) =>
        _kubectl.AnnotatePolicyAsync(Store, Ns, policy, [.. confirmations.Select(c => (ChatConfirmations.AnnotationPrefix + c.Code, c.Json))]);

    private string HeldOn(string code) => StoredJsonOrNull(Workload, code) is not null ? Workload : Other;

    private string StoredJson(string policy, string code) => StoredJsonOrNull(policy, code) ?? throw new InvalidOperationException($"no confirmation {code} on {policy}");

    private string? StoredJsonOrNull(string policy, string code) =>
        (string?)_world.Sandbox.Control.Get(ScalePolicy.ApiVersionValue, ScalePolicy.KindValue, Ns, policy)!["metadata"]!["annotations"]?[ChatConfirmations.AnnotationPrefix + code];

    private static string[] ConfirmationKeys(ScalePolicy policy) =>
        [.. (policy.Metadata.Annotations ?? new Dictionary<string, string>()).Keys.Where(k => k.StartsWith(ChatConfirmations.AnnotationPrefix, StringComparison.Ordinal))];

    private async Task<ScalePolicy> StoredAsync(string policy) => (await Store.GetCurrentAsync(Ns, policy, default))!;

    private int Replicas() => _world.Sandbox.Control.Get("apps/v1", "Deployment", Ns, Workload)!["spec"]!["replicas"]!.GetValue<int>();
}
