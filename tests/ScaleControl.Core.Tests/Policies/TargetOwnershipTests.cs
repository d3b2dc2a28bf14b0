using ScaleControl.Core.Policies;
using static ScaleControl.Core.Tests.TestPolicies;

namespace ScaleControl.Core.Tests.Policies;

public class TargetOwnershipTests
{
    private static readonly DateTimeOffset T0 = new(2026, 12, 1, 9, 0, 0, TimeSpan.Zero);

    private static ScalePolicy Policy(string name, string target, DateTimeOffset? created, string ns = "shop", string kind = TargetRef.DeploymentKind) => Auto() with
    {
        Metadata = new ObjectMeta { Name = name, Namespace = ns, CreationTimestamp = created },
        Spec = Auto().Spec with { Target = new TargetRef { Kind = kind, Name = target } },
    };

    [Fact]
    public void Held_TwoPoliciesOnOneWorkload_TheOlderKeepsItEvenWhenItsNameSortsLater()
    {
        var older = Policy("zeta", "checkout-api", T0);
        var newer = Policy("alpha", "checkout-api", T0.AddMinutes(1));

        var held = TargetOwnership.Held([newer, older]);

        Assert.Equal("shop/zeta", Assert.Single(held, kv => kv.Key == "shop/alpha").Value.Key);
        Assert.False(held.ContainsKey("shop/zeta"));
        Assert.Null(TargetOwnership.HeldBy(older, [newer, older]));
        Assert.Equal("shop/zeta", TargetOwnership.HeldBy(newer, [newer, older])!.Key);
    }

    [Fact]
    public void Held_SameCreationTime_TheNameDecides()
    {
        var held = TargetOwnership.Held([Policy("b", "checkout-api", T0), Policy("a", "checkout-api", T0), Policy("c", "checkout-api", T0)]);

        Assert.Equal(["shop/b", "shop/c"], held.Keys.Order(StringComparer.Ordinal));
        Assert.All(held.Values, owner => Assert.Equal("shop/a", owner.Key));
    }

    [Theory]
    [InlineData("other-ns", TargetRef.DeploymentKind, "checkout-api")]
    [InlineData("shop", TargetRef.StatefulSetKind, "checkout-api")]
    [InlineData("shop", TargetRef.DeploymentKind, "checkout-worker")]
    public void Held_DifferentNamespaceKindOrName_IsAnotherWorkload(string ns, string kind, string target)
    {
        var first = Policy("a", "checkout-api", T0);
        var second = Policy("b", target, T0.AddMinutes(1), ns, kind);

        Assert.Empty(TargetOwnership.Held([first, second]));
        Assert.Null(TargetOwnership.HeldBy(second, [first, second]));
    }

    [Fact]
    public void HeldBy_APolicyNotStoredYet_IsHeldByAnyStoredOne()
    {
        var stored = Policy("z-existing", "checkout-api", T0);
        var candidate = Policy("a-new", "checkout-api", created: null);

        Assert.Equal("shop/z-existing", TargetOwnership.HeldBy(candidate, [stored])!.Key);
    }

    [Fact]
    public void HeldBy_TheListHoldsAnOlderCopyOfThePolicyItself_NotHeld()
    {
        var cached = Policy("a", "checkout-api", T0);
        var current = cached with { Spec = cached.Spec with { MaxReplicas = 7 } };

        Assert.Null(TargetOwnership.HeldBy(current, [cached]));
    }

    [Fact]
    public void Problem_NamesTheWorkloadAndTheOwningPolicy()
    {
        var owner = Policy("checkout", "checkout-api", T0);
        var held = Policy("checkout-2", "checkout-api", T0.AddMinutes(1));

        var problem = TargetOwnership.Problem(held, owner);

        Assert.StartsWith("Deployment shop/checkout-api is controlled by ScalePolicy shop/checkout ", problem, StringComparison.Ordinal);
        Assert.Contains("does not act on shop/checkout-2", problem, StringComparison.Ordinal);
        Assert.Contains("ScalePolicy shop/checkout;", TargetOwnership.Refusal(held, owner), StringComparison.Ordinal);
    }
}
