using System.Text.Json;
using ScaleControl.Core.Policies;
using ScaleControl.Core.Ports;
using ScaleControl.Core.Proposals;
using ScaleControl.Server.Control.Loop;
using ScaleControl.Server.Security;
using ScaleControl.Server.Tests.Infrastructure;
using static ScaleControl.Server.Tests.Infrastructure.ServerFactory;

namespace ScaleControl.Server.Tests.Security;

/// <summary>
/// An approval that stopped counting could not be renewed: zhangsan tapped Approve again and was told "already
/// approved", so under a two-person rule with a roster of two the proposal waited until it expired. Someone on the
/// roster may approve again now when their approval on the record does not count — too old, or one ScaleControl did not
/// record (written in their name by hand) — and the answer says why; the new approval is sealed, the earlier one stays
/// on the record as it was (a forged one stays unverified: the new seal never covers it). A repeat of an approval that
/// counts is still "already approved", and two taps at once record one. The real server over HTTP, in-memory stores.
/// </summary>
public sealed class RenewedApprovalTests : IDisposable
{
    private const string Ns = "shop";
    private const string Workload = "checkout-api";

    private readonly ServerFactory _server = new();

    public void Dispose() => _server.Dispose();

    [Fact]
    public async Task ApprovalTooOldToCount_ApprovedAgain_TheAnswerSaysWhy_ARepeatIsAlreadyApproved_ThenItApplies()
    {
        var proposal = await ProposedAsync(twoPersons: true); // 4 → 10, zhangsan and lisi both needed
        using var zhangsan = _server.ClientWith(ZhangsanToken);
        Assert.Equal("Accepted", (await ApproveAsync(zhangsan, proposal)).GetProperty("result").GetString());
        _server.Time.Advance(TimeSpan.FromSeconds(901)); // MaxApprovalAgeSeconds is 900
        await _server.Service<Reconciler>().TickAsync(default); // the loop still asks for 10

        var again = await ApproveAsync(zhangsan, proposal);
        var repeat = await ApproveAsync(zhangsan, proposal);

        Assert.Equal("Accepted", again.GetProperty("result").GetString());
        Assert.StartsWith("approved 4 → 10 (your approval of 4 → 10 at 10:00:30Z was too old to count); approval by zhangsan recorded; 1 more approval(s) needed",
            again.GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.Equal("Duplicate", repeat.GetProperty("result").GetString());
        var waiting = (await _server.Proposals.GetAsync(Ns, proposal, default))!;
        Assert.Equal(2, waiting.Status.Approvals.Count);
        Assert.All(waiting.Status.Approvals, a => Assert.Equal(ApprovalSealFinding.ThisAsk, _server.Service<ApprovalSigner>().Check(waiting, a)));

        using var lisi = _server.ClientWith(LisiToken);
        await ApproveAsync(lisi, proposal);

        Assert.Equal(10, _server.Workloads.Replicas(Ns, Workload));
        Assert.Equal(ProposalPhase.Applied, (await _server.Proposals.GetAsync(Ns, proposal, default))!.Status.Phase);
    }

    [Fact]
    public async Task ApprovalWrittenByHandInTheirName_TheyApprove_Recorded_TheAnswerSaysWhy_TheForgedOneStaysUnverified()
    {
        var proposal = await ProposedAsync(twoPersons: false);
        await ForgeAsync(proposal, "zhangsan");
        using var zhangsan = _server.ClientWith(ZhangsanToken);

        var again = await ApproveAsync(zhangsan, proposal);

        Assert.Equal("Accepted", again.GetProperty("result").GetString());
        Assert.StartsWith("approved 4 → 10 (the approval of 10 replicas in your name was not recorded by ScaleControl, so it did not count); approved by zhangsan",
            again.GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.Equal(10, _server.Workloads.Replicas(Ns, Workload));
        var applied = (await _server.Proposals.GetAsync(Ns, proposal, default))!;
        var signer = _server.Service<ApprovalSigner>();
        Assert.Equal([ApprovalSealFinding.Unsigned, ApprovalSealFinding.ThisAsk], applied.Status.Approvals.Select(a => signer.Check(applied, a)));
        using var viewer = _server.ClientWith(ViewerToken);
        var rows = (await (await viewer.GetAsync($"/api/v1/history?namespace={Ns}")).ReadJson()).EnumerateArray()
            .Where(r => r.GetProperty("kind").GetString() == "Approved").Select(r => r.TryGetProperty("unverified", out _)).ToList();
        Assert.Equal([false, true], rows.Order());
    }

    [Fact]
    public async Task TwoTapsAtOnce_OverAnApprovalThatDoesNotCount_RecordOne()
    {
        var proposal = await ProposedAsync(twoPersons: true);
        await ForgeAsync(proposal, "zhangsan");
        var inbox = _server.Service<IApprovalInbox>();

        var results = await Task.WhenAll(
            Task.Run(() => inbox.DecideAsync(new ApprovalCommand(Ns, proposal, "zhangsan", ApprovalChannel.DingTalk, true, AwaitOutcome: false), default)),
            Task.Run(() => inbox.DecideAsync(new ApprovalCommand(Ns, proposal, "zhangsan", ApprovalChannel.DingTalkChat, true, AwaitOutcome: false), default)));

        Assert.Equal([ApprovalResultKind.Accepted, ApprovalResultKind.Duplicate], results.Select(r => r.Kind).Order());
        var stored = (await _server.Proposals.GetAsync(Ns, proposal, default))!;
        Assert.Equal(2, stored.Status.Approvals.Count); // the forged one and one new
        Assert.Equal(ProposalPhase.Pending, stored.Status.Phase); // lisi's approval is still needed
    }

    /// <summary>The loop proposes 4 → 10 (1000 QPS, 100 per pod); with <paramref name="twoPersons"/>, above 8 needs zhangsan and lisi.</summary>
    private async Task<string> ProposedAsync(bool twoPersons)
    {
        _server.Workloads.Add(Ns, Workload, 4);
        var policy = TestPolicies.Approval(Ns, Workload, escalateAfter: 3000, expiry: 3600);
        var rule = twoPersons ? policy.Spec.Approval! with { TwoPersonRule = new TwoPersonRule { AboveReplicas = 8 } } : policy.Spec.Approval!;
        await _server.Policies.UpsertAsync(policy with { Spec = policy.Spec with { Approval = rule } }, default);
        _server.Metrics.Set(TestPolicies.Query(Workload), 1000);
        _server.Time.Advance(TimeSpan.FromSeconds(30));
        await _server.Service<Reconciler>().TickAsync(default);
        return Assert.Single(await _server.Proposals.ListAsync(Ns, default), p => p.Status.Phase == ProposalPhase.Pending).Metadata.Name;
    }

    /// <summary>Someone who may write the proposal's status adds an unsigned approval in <paramref name="user"/>'s name.</summary>
    private async Task ForgeAsync(string proposal, string user)
    {
        var p = (await _server.Proposals.GetAsync(Ns, proposal, default))!;
        var forged = new ApprovalRecord { User = user, Channel = ApprovalChannel.DingTalk, At = _server.Time.GetUtcNow(), Replicas = p.Spec.ToReplicas };
        await _server.Proposals.UpdateAsync(p with { Status = p.Status with { Approvals = [.. p.Status.Approvals, forged] } }, default);
    }

    private async Task<JsonElement> ApproveAsync(HttpClient client, string proposal) =>
        await (await client.PostAsync($"/api/v1/proposals/{Ns}/{proposal}/approve", null)).ReadJson();
}
