using ScaleControl.Core.Ports;
using ScaleControl.Core.Proposals;
using ScaleControl.Kubernetes.Tests.Infrastructure;
using ScaleControl.Kubernetes.Tests.Resources;
using ScaleControl.Sandbox.Kubernetes.Control;

namespace ScaleControl.Kubernetes.Tests.Integration;

public class CustomResourceStoreTests
{
    [Fact]
    public async Task PolicyStore_UpsertGetListDelete_RoundTripsThroughTheApi()
    {
        await using var sandbox = await KubernetesSandbox.StartAsync();
        var node = sandbox.CreateNode();
        var policy = SampleResources.FullPolicy() with { Status = null };

        var created = await node.Policies.UpsertAsync(policy, CancellationToken.None);
        var replaced = await node.Policies.UpsertAsync(policy with { Spec = policy.Spec with { MaxReplicas = 90 } }, CancellationToken.None);

        Assert.NotNull(created.Metadata.Uid);
        Assert.Equal(created.Metadata.Uid, replaced.Metadata.Uid);
        Assert.Equal(90, (int)sandbox.Control.Get("scalecontrol.io/v1alpha1", "ScalePolicy", "shop", "checkout")!["spec"]!["maxReplicas"]!);
        var listed = Assert.Single(await node.Policies.ListAsync("shop", CancellationToken.None));
        Assert.Equal(90, listed.Spec.MaxReplicas);
        Assert.Equal(policy.Spec.Schedules.Count, listed.Spec.Schedules.Count);
        Assert.Empty(await node.Policies.ListAsync("elsewhere", CancellationToken.None));

        Assert.True(await node.Policies.DeleteAsync("shop", "checkout", CancellationToken.None));
        Assert.Null(await node.Policies.GetAsync("shop", "checkout", CancellationToken.None));
        Assert.False(await node.Policies.DeleteAsync("shop", "checkout", CancellationToken.None));
    }

    [Fact]
    public async Task PolicyStore_GetCurrent_ReadsTheApiServer_AndBringsTheCacheUpToIt()
    {
        // The re-check before a scale write: a pin another replica wrote a moment ago must be seen, whatever this
        // replica's watch has delivered so far.
        await using var sandbox = await KubernetesSandbox.StartAsync();
        var replicaA = sandbox.CreateNode();
        var replicaB = sandbox.CreateNode();
        var policy = await replicaA.Policies.UpsertAsync(SampleResources.FullPolicy() with { Status = null }, CancellationToken.None);
        await replicaB.Policies.UpsertAsync(policy with { Metadata = policy.Metadata with { ResourceVersion = null }, Spec = policy.Spec with { MaxReplicas = 91 } }, CancellationToken.None);
        var readsBefore = sandbox.Control.Journal.Count(e => e is { Verb: "get", Resource: "scalepolicies" });

        var current = await replicaA.Policies.GetCurrentAsync("shop", "checkout", CancellationToken.None);

        Assert.Equal(91, current!.Spec.MaxReplicas);
        Assert.Equal(readsBefore + 1, sandbox.Control.Journal.Count(e => e is { Verb: "get", Resource: "scalepolicies" }));
        Assert.Equal(91, (await replicaA.Policies.GetAsync("shop", "checkout", CancellationToken.None))!.Spec.MaxReplicas);
        Assert.Null(await replicaA.Policies.GetCurrentAsync("shop", "nothing-here", CancellationToken.None));
    }

    [Fact]
    public async Task PolicyStore_GetCurrent_ApiServerFailsAfterRetries_ThrowsUnavailableWithTheStatus_NotNull()
    {
        await using var sandbox = await KubernetesSandbox.StartAsync();
        var node = sandbox.CreateNode(o => o.Throttle.MaxRetries = 1);
        await node.Policies.UpsertAsync(SampleResources.FullPolicy() with { Status = null }, CancellationToken.None);
        using var failing = sandbox.Control.InjectFault(SandboxFault.ServerError(500) with { Verb = "get", Resource = "scalepolicies" });

        var failed = await Assert.ThrowsAsync<StoreUnavailableException>(() => node.Policies.GetCurrentAsync("shop", "checkout", CancellationToken.None));

        Assert.Contains("reading shop/checkout from the API server failed: 500", failed.Message, StringComparison.Ordinal);
        Assert.Equal(2, sandbox.Control.Journal.Count(e => e is { Verb: "get", Resource: "scalepolicies", StatusCode: 500 }));
    }

    [Fact]
    public async Task PolicyStore_UpsertTheApiServerRefuses_ThrowsInvalidWithItsFields_NothingStored()
    {
        // Live: a PUT whose labels the API server refused (422) came back to the caller as a 500.
        await using var sandbox = await KubernetesSandbox.StartAsync();
        var node = sandbox.CreateNode();
        var policy = SampleResources.FullPolicy() with { Status = null };
        policy = policy with { Metadata = policy.Metadata with { Labels = new Dictionary<string, string> { ["Bad Key!"] = "x y" } } };

        var refused = await Assert.ThrowsAsync<ObjectInvalidException>(() => node.Policies.UpsertAsync(policy, CancellationToken.None));

        Assert.Contains("Bad Key!", Assert.Single(refused.Errors, e => e.Key == "metadata.labels").Value[0], StringComparison.Ordinal);
        Assert.Null(sandbox.Control.Get("scalecontrol.io/v1alpha1", "ScalePolicy", "shop", "checkout"));
    }

    [Fact]
    public async Task PolicyStore_UpsertWithStaleResourceVersion_ThrowsConflict()
    {
        await using var sandbox = await KubernetesSandbox.StartAsync();
        var node = sandbox.CreateNode();
        var first = await node.Policies.UpsertAsync(SampleResources.FullPolicy() with { Status = null }, CancellationToken.None);
        await node.Policies.UpsertAsync(first with { Spec = first.Spec with { MinReplicas = 3 } }, CancellationToken.None);

        await Assert.ThrowsAsync<ConcurrencyConflictException>(
            () => node.Policies.UpsertAsync(first with { Spec = first.Spec with { MinReplicas = 4 } }, CancellationToken.None));
    }

    [Fact]
    public async Task PolicyStore_UpsertWithoutResourceVersion_ConflictWithAStatusWrite_ReadsAgainAndReplaces()
    {
        await using var sandbox = await KubernetesSandbox.StartAsync();
        var node = sandbox.CreateNode();
        var policy = SampleResources.FullPolicy() with { Status = null };
        await node.Policies.UpsertAsync(policy, CancellationToken.None);
        // What the API server answers when the loop's status write moved the version between the read and the replace.
        using var conflict = sandbox.Control.InjectFault(SandboxFault.ServerError(409, times: 1) with { Verb = "update", Resource = "scalepolicies" });

        var replaced = await node.Policies.UpsertAsync(policy with { Spec = policy.Spec with { MaxReplicas = 77 } }, CancellationToken.None);

        Assert.Equal(77, replaced.Spec.MaxReplicas);
        Assert.Equal(77, (int)sandbox.Control.Get("scalecontrol.io/v1alpha1", "ScalePolicy", "shop", "checkout")!["spec"]!["maxReplicas"]!);
        Assert.Equal(2, sandbox.Control.Journal.Count(e => e is { Verb: "update", Resource: "scalepolicies" }));
    }

    [Fact]
    public async Task PolicyStore_UpsertWithResourceVersion_ConflictIsTheCallers_NotRetried()
    {
        await using var sandbox = await KubernetesSandbox.StartAsync();
        var node = sandbox.CreateNode();
        var stored = await node.Policies.UpsertAsync(SampleResources.FullPolicy() with { Status = null }, CancellationToken.None);
        using var conflict = sandbox.Control.InjectFault(SandboxFault.ServerError(409, times: 1) with { Verb = "update", Resource = "scalepolicies" });

        await Assert.ThrowsAsync<ConcurrencyConflictException>(
            () => node.Policies.UpsertAsync(stored with { Spec = stored.Spec with { MaxReplicas = 77 } }, CancellationToken.None));
        Assert.Equal(1, sandbox.Control.Journal.Count(e => e is { Verb: "update", Resource: "scalepolicies" }));
    }

    [Fact]
    public async Task PolicyStore_UpdateStatus_WritesStatusSubresourceOnly()
    {
        await using var sandbox = await KubernetesSandbox.StartAsync();
        var node = sandbox.CreateNode();
        var stored = await node.Policies.UpsertAsync(SampleResources.FullPolicy() with { Status = null }, CancellationToken.None);

        var updated = await node.Policies.UpdateStatusAsync(
            stored with { Status = new() { CurrentReplicas = 7, DesiredReplicas = 9, LastReason = "rising" } }, CancellationToken.None);
        // A held decision: the hold and the count it kept back are schema fields, not pruned.
        var held = await node.Policies.UpdateStatusAsync(
            updated with { Status = new() { CurrentReplicas = 7, DesiredReplicas = 7, HeldBy = "cooldown", UnheldReplicas = 9 } }, CancellationToken.None);

        Assert.Equal(9, updated.Status!.DesiredReplicas);
        Assert.Equal(("cooldown", 9), (held.Status!.HeldBy, held.Status.UnheldReplicas));
        Assert.Contains(sandbox.Control.Journal, e => e is { Verb: "update", Resource: "scalepolicies/status" });
        var status = sandbox.Control.Get("scalecontrol.io/v1alpha1", "ScalePolicy", "shop", "checkout")!["status"]!;
        Assert.Equal((7, "cooldown", 9), ((int)status["currentReplicas"]!, (string)status["heldBy"]!, (int)status["unheldReplicas"]!));
    }

    [Fact]
    public async Task ListAsync_CalledEveryTick_MakesNoListRequestsAfterSync()
    {
        await using var sandbox = await KubernetesSandbox.StartAsync();
        var node = sandbox.CreateNode();
        for (var i = 0; i < 20; i++)
        {
            await node.Policies.UpsertAsync(SampleResources.FullPolicy(name: $"p{i}") with { Status = null }, CancellationToken.None);
        }

        await node.Policies.ListAsync(null, CancellationToken.None);
        sandbox.Control.ClearJournal();

        for (var tick = 0; tick < 50; tick++)
        {
            Assert.Equal(20, (await node.Policies.ListAsync(null, CancellationToken.None)).Count);
        }

        Assert.DoesNotContain(sandbox.Control.Journal, e => e.Verb is "list" or "get");
    }

    [Fact]
    public async Task ProposalStore_Create_StoresSpecAndStatus()
    {
        await using var sandbox = await KubernetesSandbox.StartAsync();
        var node = sandbox.CreateNode();
        var proposal = SampleResources.FullProposal() with { Status = new ScaleProposalStatus { Phase = ProposalPhase.Pending, Message = "waiting" } };

        var created = await node.Proposals.CreateAsync(proposal, CancellationToken.None);

        Assert.Equal(ProposalPhase.Pending, created.Status.Phase);
        var stored = sandbox.Control.Get("scalecontrol.io/v1alpha1", "ScaleProposal", "shop", proposal.Metadata.Name)!;
        Assert.Equal("Pending", (string?)stored["status"]!["phase"]);
        Assert.Equal(60, (int)stored["spec"]!["toReplicas"]!);
        await Assert.ThrowsAsync<ConcurrencyConflictException>(() => node.Proposals.CreateAsync(proposal, CancellationToken.None));
    }

    [Fact]
    public async Task ProposalStore_TwoReplicasMoveSameProposal_ExactlyOneSucceeds()
    {
        await using var sandbox = await KubernetesSandbox.StartAsync();
        var replicaA = sandbox.CreateNode();
        var replicaB = sandbox.CreateNode();
        var created = await replicaA.Proposals.CreateAsync(SampleResources.FullProposal() with { Status = new() }, CancellationToken.None);
        await Eventually.TrueAsync(
            async () => (await replicaB.Proposals.GetAsync("shop", created.Metadata.Name, CancellationToken.None))?.Metadata.ResourceVersion == created.Metadata.ResourceVersion,
            "replica B sees the proposal");
        var seenByA = (await replicaA.Proposals.GetAsync("shop", created.Metadata.Name, CancellationToken.None))!;
        var seenByB = (await replicaB.Proposals.GetAsync("shop", created.Metadata.Name, CancellationToken.None))!;

        var outcomes = await Task.WhenAll(
            TryMove(replicaA, seenByA with { Status = seenByA.Status with { Phase = ProposalPhase.Approved, Message = "A" } }),
            TryMove(replicaB, seenByB with { Status = seenByB.Status with { Phase = ProposalPhase.Rejected, Message = "B" } }));

        Assert.Single(outcomes, o => o);
        var winner = outcomes[0] ? "A" : "B";
        Assert.Equal(winner, (string?)sandbox.Control.Get("scalecontrol.io/v1alpha1", "ScaleProposal", "shop", created.Metadata.Name)!["status"]!["message"]);
    }

    [Fact]
    public async Task ProposalStore_UpdateWithoutResourceVersion_IsRefused()
    {
        await using var sandbox = await KubernetesSandbox.StartAsync();
        var node = sandbox.CreateNode();
        var created = await node.Proposals.CreateAsync(SampleResources.FullProposal(), CancellationToken.None);

        await Assert.ThrowsAsync<ArgumentException>(
            () => node.Proposals.UpdateAsync(created with { Metadata = created.Metadata with { ResourceVersion = null } }, CancellationToken.None));
    }

    [Fact]
    public async Task ProposalStore_StatusChangeOnOneReplica_BecomesVisibleOnTheOther()
    {
        await using var sandbox = await KubernetesSandbox.StartAsync();
        var writer = sandbox.CreateNode();
        var reader = sandbox.CreateNode();
        await reader.Proposals.ListAsync(null, CancellationToken.None);
        var created = await writer.Proposals.CreateAsync(SampleResources.FullProposal() with { Status = new() }, CancellationToken.None);

        var applied = await writer.Proposals.UpdateAsync(
            created with { Status = created.Status with { Phase = ProposalPhase.Applied, AppliedReplicas = 60 } }, CancellationToken.None);

        await Eventually.TrueAsync(
            async () => (await reader.Proposals.GetAsync("shop", created.Metadata.Name, CancellationToken.None))?.Status.Phase == ProposalPhase.Applied,
            "the other replica's watch cache shows Applied");
        var seen = (await reader.Proposals.GetAsync("shop", created.Metadata.Name, CancellationToken.None))!;
        Assert.Equal(applied.Metadata.ResourceVersion, seen.Metadata.ResourceVersion);
        Assert.Equal(60, seen.Status.AppliedReplicas);
    }

    [Fact]
    public async Task ProposalStore_SpecAndStatusChangedTogether_BothAreStored()
    {
        // What amending a pending proposal writes: the new target in spec, the amendment in status.
        await using var sandbox = await KubernetesSandbox.StartAsync();
        var node = sandbox.CreateNode();
        var created = await node.Proposals.CreateAsync(SampleResources.FullProposal() with { Status = new() { Phase = ProposalPhase.Pending } }, CancellationToken.None);

        var amended = await node.Proposals.UpdateAsync(
            created with { Spec = created.Spec with { ToReplicas = 80 }, Status = created.Status with { Message = "updated: 60 → 80" } }, CancellationToken.None);

        Assert.Equal(80, amended.Spec.ToReplicas);
        Assert.Equal("updated: 60 → 80", amended.Status.Message);
        var stored = sandbox.Control.Get("scalecontrol.io/v1alpha1", "ScaleProposal", "shop", created.Metadata.Name)!;
        Assert.Equal(80, (int)stored["spec"]!["toReplicas"]!);
        Assert.Equal("updated: 60 → 80", (string?)stored["status"]!["message"]);
    }

    [Fact]
    public async Task ProposalStore_Delete_OnlyTheVersionReadAndDropsItFromTheCacheAtOnce()
    {
        await using var sandbox = await KubernetesSandbox.StartAsync();
        var node = sandbox.CreateNode();
        var created = await node.Proposals.CreateAsync(SampleResources.FullProposal(), CancellationToken.None);
        var moved = await node.Proposals.UpdateAsync(created with { Status = created.Status with { Message = "card updated" } }, CancellationToken.None);
        sandbox.Control.ClearJournal();

        await Assert.ThrowsAsync<ConcurrencyConflictException>(() => node.Proposals.DeleteAsync(created, CancellationToken.None));
        Assert.NotNull(sandbox.Control.Get("scalecontrol.io/v1alpha1", "ScaleProposal", "shop", created.Metadata.Name));
        Assert.NotNull(node.ProposalCache.Get(created.Key));

        await node.Proposals.DeleteAsync(moved, CancellationToken.None);

        Assert.Null(sandbox.Control.Get("scalecontrol.io/v1alpha1", "ScaleProposal", "shop", created.Metadata.Name));
        Assert.Null(node.ProposalCache.Get(created.Key)); // forgotten on our own delete, not only when the watch event comes
        Assert.Null(await node.Proposals.GetAsync("shop", created.Metadata.Name, CancellationToken.None));
        Assert.Equal(new[] { 409, 200 }, sandbox.Control.Journal.Where(e => e is { Verb: "delete", Resource: "scaleproposals" }).Select(e => e.StatusCode));
        await node.Proposals.DeleteAsync(moved, CancellationToken.None); // already gone: not an error
    }

    [Fact]
    public async Task ProposalStore_DeleteOnOneReplica_DisappearsFromTheOthersCache()
    {
        await using var sandbox = await KubernetesSandbox.StartAsync();
        var writer = sandbox.CreateNode();
        var reader = sandbox.CreateNode();
        var created = await writer.Proposals.CreateAsync(SampleResources.FullProposal(), CancellationToken.None);
        await Eventually.TrueAsync(async () => await reader.Proposals.GetAsync("shop", created.Metadata.Name, CancellationToken.None) is not null, "the reader sees the proposal");

        await writer.Proposals.DeleteAsync(created, CancellationToken.None);

        await Eventually.TrueAsync(async () => await reader.Proposals.GetAsync("shop", created.Metadata.Name, CancellationToken.None) is null, "the reader's watch cache drops it");
    }

    private static async Task<bool> TryMove(ScaleControlNode node, ScaleProposal proposal)
    {
        try
        {
            await node.Proposals.UpdateAsync(proposal, CancellationToken.None);
            return true;
        }
        catch (ConcurrencyConflictException)
        {
            return false;
        }
    }
}
