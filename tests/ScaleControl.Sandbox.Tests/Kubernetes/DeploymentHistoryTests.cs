using ScaleControl.Sandbox.Kubernetes.Cluster;

namespace ScaleControl.Sandbox.Tests.Kubernetes;

/// <summary>The revision-history annotation a renumbered ReplicaSet keeps, as SetNewReplicaSetAnnotations writes it.</summary>
public sealed class DeploymentHistoryTests
{
    [Theory]
    [InlineData(null, 3, "3")]
    [InlineData("", 3, "3")]
    [InlineData("1,3", 6, "1,3,6")]
    public void FormerRevision_IsAppended(string? existing, int former, string expected) =>
        Assert.Equal(expected, DeploymentHistory.RevisionHistory(existing, former));

    [Fact]
    public void PastTwoThousandCharacters_TheOldestRevisionsAreDropped()
    {
        var existing = string.Join(',', Enumerable.Range(1000, 400)); // 400 × 4 digits + 399 commas = 1999 characters

        var history = DeploymentHistory.RevisionHistory(existing, 2000);

        Assert.StartsWith("1001,", history, StringComparison.Ordinal);
        Assert.EndsWith(",1399,2000", history, StringComparison.Ordinal);
        Assert.True(history!.Length <= 2000, history.Length.ToString(System.Globalization.CultureInfo.InvariantCulture));
    }
}
