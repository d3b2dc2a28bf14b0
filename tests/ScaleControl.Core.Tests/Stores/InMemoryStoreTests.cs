using ScaleControl.Core.Policies;
using ScaleControl.Core.Ports;
using ScaleControl.Core.Proposals;
using ScaleControl.Core.Tests.Proposals;
using ScaleControl.Testing.Stores;

namespace ScaleControl.Core.Tests.Stores;

public class InMemoryStoreTests
{
    private static readonly CancellationToken s_ct = CancellationToken.None;

    [Fact]
    public async Task PolicyUpsert_StaleResourceVersion_ThrowsConflict()
    {
        var store = new InMemoryPolicyStore();
        var created = await store.UpsertAsync(TestPolicies.Auto(), s_ct);
        await store.UpsertAsync(created with { Spec = created.Spec with { MaxReplicas = 50 } }, s_ct);

        var e = await Assert.ThrowsAsync<ConcurrencyConflictException>(() => store.UpsertAsync(created, s_ct));

        Assert.Contains("was modified", e.Message, StringComparison.Ordinal);
        Assert.Equal(50, (await store.GetAsync("shop", "checkout-api", s_ct))!.Spec.MaxReplicas);
    }

    [Fact]
    public async Task PolicyUpsert_GenerationMovesOnlyWithSpec()
    {
        var store = new InMemoryPolicyStore();
        var v1 = await store.UpsertAsync(TestPolicies.Auto(), s_ct);
        var same = await store.UpsertAsync(TestPolicies.Auto() with { Metadata = v1.Metadata }, s_ct);
        var changed = await store.UpsertAsync(same with { Spec = same.Spec with { MinReplicas = 3 } }, s_ct);

        Assert.Equal([1L, 1L, 2L], [v1.Metadata.Generation!.Value, same.Metadata.Generation!.Value, changed.Metadata.Generation!.Value]);
        Assert.NotEqual(v1.Metadata.ResourceVersion, same.Metadata.ResourceVersion);
    }

    [Fact]
    public async Task PolicyStatus_WritesStatusOnly()
    {
        var store = new InMemoryPolicyStore();
        var v1 = await store.UpsertAsync(TestPolicies.Auto(), s_ct);

        var status = await store.UpdateStatusAsync(v1 with { Spec = v1.Spec with { MaxReplicas = 1 }, Status = new ScalePolicyStatus { DesiredReplicas = 7 } }, s_ct);

        Assert.Equal(7, status.Status!.DesiredReplicas);
        Assert.Equal(100, status.Spec.MaxReplicas);
    }

    [Fact]
    public async Task PolicyList_FiltersByNamespaceAndDeleteRemoves()
    {
        var store = new InMemoryPolicyStore();
        await store.UpsertAsync(TestPolicies.Auto(), s_ct);
        await store.UpsertAsync(TestPolicies.Auto() with { Metadata = new ObjectMeta { Name = "feed", Namespace = "feed" } }, s_ct);

        Assert.Single(await store.ListAsync("feed", s_ct));
        Assert.Equal(2, (await store.ListAsync(null, s_ct)).Count);
        Assert.True(await store.DeleteAsync("feed", "feed", s_ct));
        Assert.False(await store.DeleteAsync("feed", "feed", s_ct));
    }

    [Fact]
    public async Task ProposalCreate_SameNameTwice_Conflict()
    {
        var store = new InMemoryProposalStore();
        await store.CreateAsync(ProposalFixtures.Pending(), s_ct);

        await Assert.ThrowsAsync<ConcurrencyConflictException>(() => store.CreateAsync(ProposalFixtures.Pending(), s_ct));
    }

    [Fact]
    public async Task ProposalUpdate_TwoTapsFromSameRead_OnlyFirstWins()
    {
        var store = new InMemoryProposalStore();
        var read = await store.CreateAsync(ProposalFixtures.Pending(), s_ct);
        var at = ProposalFixtures.T0.AddSeconds(5);

        await store.UpdateAsync(ProposalLifecycle.Approve(read, "alice", ApprovalChannel.DingTalk, at).Proposal, s_ct);
        var e = await Assert.ThrowsAsync<ConcurrencyConflictException>(() =>
            store.UpdateAsync(ProposalLifecycle.Approve(read, "bob", ApprovalChannel.DingTalk, at).Proposal, s_ct));

        Assert.Contains("re-read", e.Message, StringComparison.Ordinal);
        var stored = await store.GetAsync("shop", read.Metadata.Name, s_ct);
        Assert.Equal("alice", Assert.Single(stored!.Status.Approvals).User);
    }

    [Fact]
    public async Task ProposalUpdate_ConcurrentWriters_ExactlyOneSucceeds()
    {
        var store = new InMemoryProposalStore();
        var read = await store.CreateAsync(ProposalFixtures.Pending(), s_ct);

        var attempts = Enumerable.Range(0, 16).Select(i => Task.Run(async () =>
        {
            try
            {
                await store.UpdateAsync(read with { Status = read.Status with { Message = $"writer {i}" } }, s_ct);
                return true;
            }
            catch (ConcurrencyConflictException)
            {
                return false;
            }
        }));

        Assert.Equal(1, (await Task.WhenAll(attempts)).Count(ok => ok));
    }

    [Fact]
    public async Task ProposalDelete_VersionAsRead_RemovesIt()
    {
        var store = new InMemoryProposalStore();
        var read = await store.CreateAsync(ProposalFixtures.Pending(), s_ct);

        await store.DeleteAsync(read, s_ct);

        Assert.Null(await store.GetAsync("shop", read.Metadata.Name, s_ct));
        await store.DeleteAsync(read, s_ct); // already gone: not an error
    }

    [Fact]
    public async Task ProposalDelete_ChangedSinceRead_ConflictAndKept()
    {
        var store = new InMemoryProposalStore();
        var read = await store.CreateAsync(ProposalFixtures.Pending(), s_ct);
        await store.UpdateAsync(read with { Status = read.Status with { Message = "moved on" } }, s_ct);

        await Assert.ThrowsAsync<ConcurrencyConflictException>(() => store.DeleteAsync(read, s_ct));

        Assert.Equal("moved on", (await store.GetAsync("shop", read.Metadata.Name, s_ct))!.Status.Message);
    }
}
