using ScaleControl.Kubernetes.Caching;

namespace ScaleControl.Kubernetes.Tests.Caching;

/// <summary>Read-your-writes over a lagging watch cache: our write wins only over the exact version it replaced.</summary>
public sealed class WriteChainTests
{
    private sealed record Item(string? Version, int Replicas);

    private readonly WriteChain<Item> _chain = new(i => i.Version);

    /// <summary>What a reader sees: our newest write over the cached version, else the cache.</summary>
    private Item Freshest(string key, Item cached) => _chain.After(key, cached.Version) ?? cached;

    [Fact]
    public void Freshest_CacheStillHoldsTheReplacedVersion_OurWriteIsSeen()
    {
        _chain.Record("shop/web", "10", new Item("11", 6));

        Assert.Equal(new Item("11", 6), Freshest("shop/web", new Item("10", 2)));
    }

    [Fact]
    public void Freshest_TwoWritesBeforeTheWatchCaughtUp_TheLatestIsSeen()
    {
        _chain.Record("shop/web", "10", new Item("11", 6));
        _chain.Record("shop/web", "11", new Item("12", 4));

        Assert.Equal(new Item("12", 4), Freshest("shop/web", new Item("10", 2)));
        Assert.Equal(new Item("12", 4), Freshest("shop/web", new Item("11", 6)));
    }

    [Fact]
    public void Freshest_CacheMovedToAnotherVersion_TheCacheWins()
    {
        _chain.Record("shop/web", "10", new Item("11", 6));

        // Someone else wrote after us (or the watch delivered ours and then theirs): that version is the truth.
        Assert.Equal(new Item("15", 3), Freshest("shop/web", new Item("15", 3)));
        Assert.Equal(new Item("10", 2), Freshest("shop/other", new Item("10", 2)));
    }

    [Fact]
    public void Record_UnknownReplacedVersion_NothingIsLaidOver()
    {
        _chain.Record("shop/web", null, new Item("11", 6));

        Assert.Equal(new Item("10", 2), Freshest("shop/web", new Item("10", 2)));
    }
}
