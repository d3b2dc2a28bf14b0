using System.Net.Http.Json;
using System.Text.Json;
using ScaleControl.Core.Policies;
using ScaleControl.Core.Proposals;
using ScaleControl.Server.Control.Loop;
using ScaleControl.Testing.DingTalk;

namespace ScaleControl.Server.Tests.Infrastructure;

/// <summary>
/// A test server whose cards go to the DingTalk emulator over real HTTP through the real adapter (taps come back over
/// Stream), the emulator on the server's fake clock and its on-call group <c>cidOnCall==</c>.
/// </summary>
public abstract class ServerWithDingTalk : IAsyncLifetime
{
    protected ServerFactory Server { get; } = new();

    protected DingTalkEmulator Emulator { get; private set; } = null!;

    public virtual async Task InitializeAsync()
    {
        Emulator = await DingTalkEmulator.StartAsync(Server.Time, "cidOnCall==");
        Server.DingTalk = Emulator;
    }

    public async Task DisposeAsync()
    {
        Server.Dispose();
        await Emulator.DisposeAsync();
    }

    /// <summary>Advances the shared clock by <paramref name="seconds"/>, then runs one control-loop tick.</summary>
    protected Task Tick(int seconds = 0)
    {
        Server.Time.Advance(TimeSpan.FromSeconds(seconds));
        return Server.Service<Reconciler>().TickAsync(default);
    }

    /// <summary>A scale-up of shop/checkout-api 4 → 10 (1000 qps, 100 per pod) decided now and waiting for approval, its card in the emulator's group.</summary>
    /// <param name="approval">Changes the policy's approval section (the roster, the approvals it asks for).</param>
    protected async Task<(ScaleProposal Pending, string OutTrackId)> GivenPendingCardAsync(Func<ApprovalSpec, ApprovalSpec>? approval = null, int expiry = 600)
    {
        Server.Workloads.Add("shop", "checkout-api", 4);
        var policy = TestPolicies.Approval(expiry: expiry);
        await Server.Policies.UpsertAsync(approval is null ? policy : policy with { Spec = policy.Spec with { Approval = approval(policy.Spec.Approval!) } }, default);
        Server.Metrics.Set(TestPolicies.Query("checkout-api"), 1000);
        await Tick();
        var pending = Assert.Single(await Server.Proposals.ListAsync("shop", default), p => p.Status.Phase == ProposalPhase.Pending);
        Assert.Equal((4, 10), (pending.Spec.FromReplicas, pending.Spec.ToReplicas));
        await Emulator.WaitForStreamAsync();
        return (pending, pending.Status.Card!.OutTrackId);
    }

    /// <summary>An edit of a policy's spec in shop, as <c>kubectl edit</c> makes it (the status stays).</summary>
    protected async Task EditPolicyAsync(Func<ScalePolicySpec, ScalePolicySpec> edit, string name = "checkout-api")
    {
        var policy = (await Server.Policies.GetCurrentAsync("shop", name, default))!;
        await Server.Policies.UpsertAsync(policy with { Spec = edit(policy.Spec) }, default);
    }

    /// <summary>The proposal as stored now.</summary>
    protected async Task<ScaleProposal> StoredAsync(ScaleProposal proposal) =>
        (await Server.Proposals.GetAsync(proposal.Metadata.Namespace, proposal.Metadata.Name, default))!;

    /// <summary>The card's variables as the emulator holds them now.</summary>
    protected async Task<JsonElement> CardDataAsync(string outTrackId) => (await Emulator.CardAsync(outTrackId)).GetProperty("cardData");

    /// <summary>The status the card in the emulator shows (<c>pending</c>, <c>rejected</c>, <c>applied</c>, …).</summary>
    protected async Task<string?> StatusOnCardAsync(string outTrackId) =>
        (await CardDataAsync(outTrackId)).GetProperty("status").GetString();

    /// <summary>Every card the emulator holds: a card updated in place stays one card.</summary>
    protected async Task<JsonElement[]> CardsAsync() =>
        (await Emulator.Script.GetFromJsonAsync<JsonElement[]>("cards"))!;

    /// <summary>The private line a tap's answer shows only the tapper.</summary>
    protected static string PrivateLine(JsonElement tap) =>
        tap.GetProperty("card").GetProperty("userPrivateData").GetProperty("privateMessage").GetString()!;
}
