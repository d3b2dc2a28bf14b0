using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Options;
using ScaleControl.Core.Commands;
using ScaleControl.Core.Decisions;
using ScaleControl.Core.Policies;
using ScaleControl.Core.Ports;
using ScaleControl.Core.Proposals;
using ScaleControl.Server.Control.Loop;
using ScaleControl.Server.Control.Queries;
using ScaleControl.Server.Security;
using ScaleControl.Server.Tests.Infrastructure;
using ScaleControl.Testing.Kubernetes;
using ScaleControl.Testing.Timing;
using static ScaleControl.Server.Tests.Infrastructure.ServerFactory;

namespace ScaleControl.Server.Tests.Security;

/// <summary>
/// Someone who may write ScaleProposals' status writes approvals with kubectl. The leader never applied them (their seal
/// does not verify), but the history showed each as a plain Approved row — "zhangsan approved 4 → 10" of an approval
/// nobody gave. It marks them now, as it marks override records (<c>"unverified": true</c>, the message says why first),
/// and an applied row names only the approvers ScaleControl recorded. A genuine approval given before its proposal was
/// amended in place still verifies (the record keeps what it approved, which its seal covers) and is shown as fact,
/// without counting toward the amended target. The real server and Kubernetes adapters against the sandbox API server,
/// the history over real HTTP, the forger's writes through the real kubectl.
/// </summary>
public sealed class ApprovalForgeryTests : IAsyncLifetime
{
    private const string Ns = "shop";
    private const string Workload = "checkout-api";
    private const string Other = "search-api";

    private ServerOnSandboxApi _world = null!;
    private ServerFactory _server = null!;
    private Kubectl _kubectl = null!;

    public async Task InitializeAsync()
    {
        _world = await ServerOnSandboxApi.StartAsync(Ns, Workload, Other);
        (_server, _kubectl) = (_world.Server, _world.Kubectl);
        await Policies.UpsertAsync(TestPolicies.Approval(Ns, Workload), default);
        await Policies.UpsertAsync(TestPolicies.Approval(Ns, Other), default);
    }

    public async Task DisposeAsync() => await _world.DisposeAsync();

    [Fact]
    public async Task ForgedApprovals_WrittenWithKubectl_HistoryMarksThemUnverified_NeverShowsThemAsFact()
    {
        var proposal = await ProposedAsync(Workload, qps: 1000); // 4 → 10, waiting for zhangsan or lisi
        var at = _server.Time.GetUtcNow().ToString("O", CultureInfo.InvariantCulture);
        var unsigned = new JsonObject { ["user"] = "zhangsan", ["channel"] = "DingTalk", ["at"] = at, ["replicas"] = 10 };
        var badlySigned = new JsonObject
        {
            ["user"] = "lisi", ["channel"] = "DingTalk", ["at"] = at, ["replicas"] = 10, ["signature"] = Convert.ToBase64String(new byte[32]),
            ["asked"] = new JsonObject { ["from"] = 4, ["to"] = 10, ["requiredApprovals"] = 1, ["requiresTwoPersons"] = false },
        };

        await PatchApprovalsAsync(proposal, unsigned, badlySigned);

        var rows = await RowsAsync("Approved");
        Assert.Equal(2, rows.Count);
        Assert.All(rows, row => Assert.True(row.GetProperty("unverified").GetBoolean()));
        Assert.Equal(
            [HistoryService.UnsignedApprovalPrefix + "zhangsan approved 4 → 10", HistoryService.ForgedApprovalPrefix + "lisi approved 4 → 10"],
            rows.Select(row => row.GetProperty("message").GetString()).Order(StringComparer.Ordinal));
        var chat = await _server.Service<ICommandInbox>().ExecuteAsync(
            new CommandRequest(new HistoryCommand(Ns, Workload), "zhangsan", "Zhang San", $"history {Ns}/{Workload}", "cidOnCall=="), default);
        Assert.Equal(2, chat.Markdown.Split("— unverified record").Length - 1);
        Assert.Contains($"({UnverifiedWording.Unsigned})", chat.Markdown, StringComparison.Ordinal);
        // The proposal's view (the page, scalectl describe) marks them too, with the history's words, from the server's check.
        var view = (await ViewAsync(proposal)).GetProperty("verification").GetProperty("approvals").EnumerateArray().ToList();
        Assert.Equal(
            [
                ("zhangsan", true, $"zhangsan (unverified: {UnverifiedWording.Unsigned})"),
                ("lisi", true, $"lisi (unverified: {UnverifiedWording.NotMatching})"),
            ],
            view.Select(v => (v.GetProperty("user").GetString()!, v.GetProperty("unverified").GetBoolean(), v.GetProperty("label").GetString()!)));
    }

    [Fact]
    public async Task ForgedRejection_WrittenWithKubectl_StaysStopped_MarkedUnverifiedEverywhere_WarnedOnce()
    {
        var proposal = await ProposedAsync(Workload, qps: 1000); // 4 → 10 during the storm
        var rejection = new JsonObject
        {
            ["user"] = "lisi", ["channel"] = "DingTalk", ["at"] = _server.Time.GetUtcNow().ToString("O", CultureInfo.InvariantCulture), ["reason"] = "not now",
        };

        await _kubectl.RunAsync("patch", "scaleproposal", proposal, "-n", Ns, "--subresource=status", "--type=merge", "-p",
            new JsonObject { ["status"] = new JsonObject { ["phase"] = "Rejected", ["rejection"] = rejection } }.ToJsonString());
        await SeenAsync(proposal, p => p.Status.Phase == ProposalPhase.Rejected);
        await _server.Service<Reconciler>().TickAsync(default);
        await _server.Service<Reconciler>().TickAsync(default);

        Assert.Equal(4, Replicas(Workload)); // a forged "no" never causes a scale: the proposal stays stopped
        Assert.Equal("Rejected", (string?)StoredProposal(proposal)["status"]!["phase"]);
        var row = Assert.Single(await RowsAsync("Rejected"));
        Assert.True(row.GetProperty("unverified").GetBoolean());
        Assert.Equal(HistoryService.UnsignedRejectionPrefix + "lisi rejected: not now", row.GetProperty("message").GetString());
        var view = (await ViewAsync(proposal)).GetProperty("verification").GetProperty("rejection");
        Assert.Equal($"lisi (unverified: {UnverifiedWording.UnsignedRejection})", view.GetProperty("label").GetString());
        var chat = await _server.Service<ICommandInbox>().ExecuteAsync(
            new CommandRequest(new HistoryCommand(Ns, Workload), "zhangsan", "Zhang San", $"history {Ns}/{Workload}", "cidOnCall=="), default);
        Assert.True(chat.Markdown.Contains($"Rejected 4 → 10 by lisi (DingTalk) — unverified record, not written by ScaleControl as it stands ({UnverifiedWording.UnsignedRejection})",
            StringComparison.Ordinal), chat.Markdown);
        var warned = _world.Sandbox.Control.List("v1", "Event", Ns).Where(e => (string?)e["reason"] == ScaleEventReasons.ScaleProposalRejectionUnverified).ToList();
        Assert.Contains(proposal, (string?)Assert.Single(warned)["message"], StringComparison.Ordinal); // two ticks, one warning
        Assert.Contains("a new proposal follows while the change is still needed", (string?)warned[0]["message"], StringComparison.Ordinal);
        Assert.Single(_server.Logs.Lines, l => l.Contains($"Proposal {Ns}/{proposal} is Rejected by a rejection in the name of lisi", StringComparison.Ordinal)
            && l.Contains("a new proposal follows", StringComparison.Ordinal));
        // Nobody on the roster may have said it: it holds nothing back, and the storm gets a new card people can approve.
        _server.Time.Advance(TimeSpan.FromSeconds(30)); // the policy's next evaluation
        await _server.Service<Reconciler>().TickAsync(default);
        var again = Assert.Single(_world.Sandbox.Control.List("scalecontrol.io/v1alpha1", "ScaleProposal", Ns),
            p => (string?)p["spec"]!["target"]!["name"] == Workload && (string?)p["status"]?["phase"] == "Pending");
        Assert.NotEqual(proposal, (string?)again["metadata"]!["name"]);
    }

    [Fact]
    public async Task RealRejection_IsSealed_ShownAsFact_CopiedOntoAnotherProposal_IsUnverified()
    {
        var proposal = await ProposedAsync(Workload, qps: 1000);
        using var rejected = await _server.ClientWith(LisiToken).PostAsync($"/api/v1/proposals/{Ns}/{proposal}/reject", JsonContent.Create(new { reason = "a deploy is running" }));
        Assert.Equal(HttpStatusCode.OK, rejected.StatusCode);
        var genuine = StoredProposal(proposal)["status"]!["rejection"]!.AsObject();
        Assert.False(string.IsNullOrEmpty((string?)genuine["signature"]));
        var other = await ProposedAsync(Other, qps: 1000);

        await _kubectl.RunAsync("patch", "scaleproposal", other, "-n", Ns, "--subresource=status", "--type=merge", "-p",
            new JsonObject { ["status"] = new JsonObject { ["phase"] = "Rejected", ["rejection"] = genuine.DeepClone() } }.ToJsonString());
        await SeenAsync(other, p => p.Status.Phase == ProposalPhase.Rejected);

        var rows = (await RowsAsync("Rejected")).ToDictionary(r => r.GetProperty("workload").GetString()!);
        Assert.False(rows[Workload].TryGetProperty("unverified", out _));
        Assert.Equal("lisi rejected: a deploy is running", rows[Workload].GetProperty("message").GetString());
        Assert.Equal(HistoryService.ForgedRejectionPrefix + "lisi rejected: a deploy is running", rows[Other].GetProperty("message").GetString());
        var real = (await ViewAsync(proposal)).GetProperty("verification").GetProperty("rejection");
        Assert.Equal((false, "lisi"), (real.GetProperty("unverified").GetBoolean(), real.GetProperty("label").GetString()));
        Assert.True((await ViewAsync(other)).GetProperty("verification").GetProperty("rejection").GetProperty("unverified").GetBoolean());
    }

    [Fact]
    public async Task RealApproval_CopiedOntoAnotherApproverOrProposal_IsUnverified_TheAppliedRowNamesOnlyTheRealApprover()
    {
        var proposal = await ProposedAsync(Workload, qps: 1000);
        using var approved = await _server.ClientWith(ZhangsanToken).PostAsync($"/api/v1/proposals/{Ns}/{proposal}/approve", null);
        Assert.Equal(HttpStatusCode.OK, approved.StatusCode);
        await _server.Service<Reconciler>().TickAsync(default);
        Assert.Equal("Applied", (string?)StoredProposal(proposal)["status"]!["phase"]);
        var genuine = StoredProposal(proposal)["status"]!["approvals"]![0]!.AsObject();
        Assert.NotNull(genuine["asked"]); // the record keeps what it approved
        var other = await ProposedAsync(Other, qps: 1000);

        var asLisi = genuine.DeepClone().AsObject();
        asLisi["user"] = "lisi";
        await PatchApprovalsAsync(proposal, genuine.DeepClone().AsObject(), asLisi);
        await PatchApprovalsAsync(other, genuine.DeepClone().AsObject());

        var rows = await RowsAsync("Approved");
        Assert.Equal(
            [
                (Workload, "lisi", true),
                (Workload, "zhangsan", false),
                (Other, "zhangsan", true),
            ],
            rows.Select(r => (r.GetProperty("workload").GetString()!, r.GetProperty("by").GetString()!, r.TryGetProperty("unverified", out _))).Order());
        Assert.All(rows.Where(r => r.TryGetProperty("unverified", out _)),
            r => Assert.StartsWith(HistoryService.ForgedApprovalPrefix, r.GetProperty("message").GetString(), StringComparison.Ordinal));
        var applied = Assert.Single(await RowsAsync("Applied"));
        Assert.Equal("zhangsan", applied.GetProperty("by").GetString());
        Assert.Equal(10, Replicas(Workload));
        Assert.Equal(4, Replicas(Other));
    }

    [Fact]
    public async Task RealApproval_OnASpecEditedByHandToABiggerTarget_IsUnverified_AndNotApplied()
    {
        await TwoPersonPolicyAsync();
        var proposal = await ProposedAsync(Workload, qps: 1000);
        using var first = await _server.ClientWith(ZhangsanToken).PostAsync($"/api/v1/proposals/{Ns}/{proposal}/approve", null);
        Assert.Equal(HttpStatusCode.OK, first.StatusCode);

        await _kubectl.RunAsync("patch", "scaleproposal", proposal, "-n", Ns, "--type=merge", "-p", """{"spec":{"toReplicas":40}}""");
        await SeenAsync(proposal, p => p.Spec.ToReplicas == 40);
        using var second = await _server.ClientWith(LisiToken).PostAsync($"/api/v1/proposals/{Ns}/{proposal}/approve", null);
        await _server.Service<Reconciler>().TickAsync(default);

        Assert.Contains("zhangsan's approval was not recorded by ScaleControl", await second.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(4, Replicas(Workload));
        var zhangsan = Assert.Single(await RowsAsync("Approved"), r => r.GetProperty("by").GetString() == "zhangsan");
        Assert.True(zhangsan.GetProperty("unverified").GetBoolean());
        Assert.Equal(
            "unverified approval (signed for 4 → 10, which this proposal never asked: its spec was changed by hand since): zhangsan approved 4 → 10",
            zhangsan.GetProperty("message").GetString());
    }

    [Fact]
    public async Task GenuineApproval_BeforeTheProposalWasAmended_StillVerifies_ShownAsFact_DoesNotCountTowardTheNewTarget()
    {
        await TwoPersonPolicyAsync();
        var proposal = await ProposedAsync(Workload, qps: 1000);
        using var first = await _server.ClientWith(ZhangsanToken).PostAsync($"/api/v1/proposals/{Ns}/{proposal}/approve", null);
        Assert.Equal(HttpStatusCode.OK, first.StatusCode);

        // The traffic rose: the loop's amendment (called directly: the sandbox API server dates the proposal by the wall
        // clock, so the loop's amend interval, measured on the test's clock, would not pass).
        _server.Time.Advance(ProposalRules.AmendInterval);
        var pending = (await _server.Service<IProposalStore>().GetAsync(Ns, proposal, default))!;
        var rose = new Decision
        {
            CurrentReplicas = 4, DesiredReplicas = 14, Direction = ScaleDirection.Up, Outcome = DecisionOutcome.Propose, RequiresTwoPersons = true,
            Reason = "qps 1.4k; 100/pod -> 14", Evidence = pending.Spec.Evidence!,
        };
        Assert.NotNull(await _server.Service<ProposalService>().AmendAsync(pending, rose, default));
        await SeenAsync(proposal, p => p.Status.Amendments.Count == 1);
        var amended = (await _server.Service<IProposalStore>().GetAsync(Ns, proposal, default))!;
        Assert.Equal((10, 14), (amended.Status.Amendments[0].FromTarget, amended.Spec.ToReplicas));
        Assert.Equal(ApprovalSealFinding.EarlierAsk, _server.Service<ApprovalSigner>().Check(amended, Assert.Single(amended.Status.Approvals)));

        using var second = await _server.ClientWith(LisiToken).PostAsync($"/api/v1/proposals/{Ns}/{proposal}/approve", null);
        await _server.Service<Reconciler>().TickAsync(default);

        Assert.Contains("1 of 2 approvals (zhangsan approved the step asked before it was amended), one more needed",
            await second.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(4, Replicas(Workload)); // zhangsan approved 10, not 14: two approvals of 14 are needed
        Assert.Equal("Pending", (string?)StoredProposal(proposal)["status"]!["phase"]);
        var rows = (await RowsAsync("Approved")).ToDictionary(r => r.GetProperty("by").GetString()!);
        Assert.All(rows.Values, r => Assert.False(r.TryGetProperty("unverified", out _)));
        Assert.Equal("zhangsan approved 4 → 10 (it asked 4 → 10 then; amended since)", rows["zhangsan"].GetProperty("message").GetString());
        Assert.Equal("lisi approved 4 → 14", rows["lisi"].GetProperty("message").GetString());
    }

    [Fact]
    public async Task ApprovalSealedBeforeRecordsKeptTheirAsk_StillAppliesOnAnUnchangedProposal_CannotBeCheckedOnAnAmendedOne()
    {
        var unchanged = await ProposedAsync(Workload, qps: 1000);
        await PatchApprovalsAsync(unchanged, [LegacyApproval((await _server.Service<IProposalStore>().GetAsync(Ns, unchanged, default))!, "zhangsan")], more: null, phase: "Approved");
        await _server.Service<Reconciler>().TickAsync(default);
        Assert.Equal(10, Replicas(Workload)); // as the version before applied it
        Assert.False(Assert.Single(await RowsAsync("Approved")).TryGetProperty("unverified", out _));

        var amended = await ProposedAsync(Other, qps: 1000);
        var before = (await _server.Service<IProposalStore>().GetAsync(Ns, amended, default))!;
        var legacy = LegacyApproval(before, "zhangsan");
        var amendment = new JsonObject
        {
            ["at"] = _server.Time.GetUtcNow().ToString("O", CultureInfo.InvariantCulture), ["fromTarget"] = 10, ["toTarget"] = 12, ["reason"] = "traffic rose",
        };
        await PatchApprovalsAsync(amended, [legacy], more: new JsonObject { ["amendments"] = new JsonArray(amendment) }, phase: null);
        await _kubectl.RunAsync("patch", "scaleproposal", amended, "-n", Ns, "--type=merge", "-p", """{"spec":{"toReplicas":12}}""");
        await SeenAsync(amended, p => p.Spec.ToReplicas == 12 && p.Status.Amendments.Count == 1);

        var row = Assert.Single(await RowsAsync("Approved"), r => r.GetProperty("workload").GetString() == Other);
        Assert.True(row.GetProperty("unverified").GetBoolean());
        Assert.Equal(HistoryService.UncheckableApprovalPrefix + "zhangsan approved 4 → 10", row.GetProperty("message").GetString());
        Assert.Equal(4, Replicas(Other));
    }

    private IPolicyStore Policies => _server.Service<IPolicyStore>();

    /// <summary>Approvals above 8 replicas need zhangsan and lisi.</summary>
    private async Task TwoPersonPolicyAsync()
    {
        var policy = TestPolicies.Approval(Ns, Workload);
        var rule = policy.Spec.Approval! with { TwoPersonRule = new TwoPersonRule { AboveReplicas = 8 } };
        await Policies.UpsertAsync(policy with { Spec = policy.Spec with { Approval = rule } }, default);
    }

    /// <summary>The loop proposes a scale of <paramref name="workload"/> (4 running) for <paramref name="qps"/>; the proposal's name.</summary>
    private async Task<string> ProposedAsync(string workload, int qps)
    {
        _server.Metrics.Set(TestPolicies.Query(workload), qps);
        _server.Time.Advance(TimeSpan.FromSeconds(30)); // the policy's next evaluation
        await _server.Service<Reconciler>().TickAsync(default);
        var proposal = Assert.Single(await _server.Service<IProposalStore>().ListAsync(Ns, default),
            p => p.Spec.Target.Name == workload && p.Status.Phase == ProposalPhase.Pending);
        return proposal.Metadata.Name;
    }

    /// <summary>
    /// An approval as the version before this one sealed it: no <c>asked</c>, HMAC over the proposal's spec as it
    /// stands (the same key), in that version's format.
    /// </summary>
    private JsonObject LegacyApproval(ScaleProposal proposal, string user)
    {
        var at = _server.Time.GetUtcNow();
        var spec = proposal.Spec;
        var payload = string.Join('\n',
            "scalecontrol-approval-v1", proposal.Metadata.Namespace, proposal.Metadata.Name, spec.PolicyName, $"{spec.Target.Kind}/{spec.Target.Name}",
            spec.FromReplicas.ToString(CultureInfo.InvariantCulture), spec.ToReplicas.ToString(CultureInfo.InvariantCulture),
            spec.AlternativeReplicas?.ToString(CultureInfo.InvariantCulture) ?? "-", spec.RequiredApprovals.ToString(CultureInfo.InvariantCulture),
            spec.RequiresTwoPersons ? "2p" : "1p", spec.RequestedBy, user, nameof(ApprovalChannel.DingTalk), spec.ToReplicas.ToString(CultureInfo.InvariantCulture),
            at.ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture));
        var key = Encoding.UTF8.GetBytes(_server.Service<IOptions<ApprovalSigningOptions>>().Value.SigningKey!);
        return new JsonObject
        {
            ["user"] = user, ["channel"] = nameof(ApprovalChannel.DingTalk), ["at"] = at.ToString("O", CultureInfo.InvariantCulture), ["replicas"] = spec.ToReplicas,
            ["signature"] = Convert.ToBase64String(HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(payload))),
        };
    }

    /// <summary>The forger's <c>kubectl patch --subresource=status</c> of the proposal's approvals (and, in <paramref name="more"/>, other status fields).</summary>
    private Task PatchApprovalsAsync(string proposal, params JsonObject[] approvals) => PatchApprovalsAsync(proposal, approvals, more: null, phase: null);

    private async Task PatchApprovalsAsync(string proposal, JsonObject[] approvals, JsonObject? more, string? phase)
    {
        var status = more ?? new JsonObject();
        status["approvals"] = new JsonArray([.. approvals]);
        if (phase is not null)
        {
            status["phase"] = phase;
        }

        var users = approvals.Select(a => (string?)a["user"]).ToArray();
        await _kubectl.RunAsync("patch", "scaleproposal", proposal, "-n", Ns, "--subresource=status", "--type=merge", "-p", new JsonObject { ["status"] = status }.ToJsonString());
        await SeenAsync(proposal, p => p.Status.Approvals.Select(a => a.User).SequenceEqual(users) && (phase is null || p.Status.Phase.ToString() == phase));
    }

    /// <summary><c>GET /api/v1/proposals/{ns}/{name}</c> as the proposal page and scalectl read it.</summary>
    private async Task<JsonElement> ViewAsync(string proposal)
    {
        using var viewer = _server.ClientWith(ViewerToken);
        return await (await viewer.GetAsync($"/api/v1/proposals/{Ns}/{proposal}")).ReadJson();
    }

    private async Task<List<JsonElement>> RowsAsync(string kind)
    {
        using var viewer = _server.ClientWith(ViewerToken);
        var rows = await (await viewer.GetAsync($"/api/v1/history?namespace={Ns}")).ReadJson();
        return [.. rows.EnumerateArray().Where(r => r.GetProperty("kind").GetString() == kind)];
    }

    /// <summary>Waits until the product's watch cache holds the proposal so (the loop and the history read the cache).</summary>
    private async Task SeenAsync(string name, Func<ScaleProposal, bool> seen)
    {
        var proposals = _server.Service<IProposalStore>();
        Assert.True(await Patience.UntilAsync(() => proposals.GetAsync(Ns, name, default).GetAwaiter().GetResult() is { } p && seen(p), 10),
            $"not seen; stored: {StoredProposal(name).ToJsonString()}");
    }

    private JsonObject StoredProposal(string name) => _world.Sandbox.Control.Get("scalecontrol.io/v1alpha1", "ScaleProposal", Ns, name)!;

    private int Replicas(string workload) => _world.Sandbox.Control.Get("apps/v1", "Deployment", Ns, workload)!["spec"]!["replicas"]!.GetValue<int>();
}
