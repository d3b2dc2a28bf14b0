using ScaleControl.Core.Ports;
using ScaleControl.Testing.Kubernetes;
using ScaleControl.Testing.Timing;

namespace ScaleControl.Server.Tests.Infrastructure;

/// <summary>What someone who may edit ScalePolicies (not use ScaleControl) writes: annotations, through the real kubectl.</summary>
public static class KubectlAnnotations
{
    /// <summary>
    /// <c>kubectl annotate --overwrite</c> <paramref name="annotations"/> onto the ScalePolicy, then waits until the server's
    /// policy cache (<paramref name="store"/>) holds them, so what the test does next meets them.
    /// </summary>
    public static async Task AnnotatePolicyAsync(this Kubectl kubectl, IPolicyStore store, string ns, string policy, IReadOnlyCollection<(string Key, string Value)> annotations)
    {
        await kubectl.RunAsync(["annotate", "scalepolicy", policy, "-n", ns, "--overwrite", .. annotations.Select(a => $"{a.Key}={a.Value}")]);
        Assert.True(await Patience.UntilAsync(
            async () => (await store.GetAsync(ns, policy, default))?.Metadata.Annotations is { } seen
                && annotations.All(a => seen.GetValueOrDefault(a.Key) == a.Value),
            10));
    }
}
