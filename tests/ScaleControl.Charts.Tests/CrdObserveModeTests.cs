using System.Text.Json.Nodes;

namespace ScaleControl.Charts.Tests;

/// <summary>
/// The chart's ScalePolicy CRD takes mode Observe (an apiserver refuses a value not in the enum) and keeps
/// status.observation (an apiserver prunes a field not in the schema: the comparison would vanish on every write).
/// </summary>
public class CrdObserveModeTests
{
    private static JsonNode Schema() =>
        YamlFiles.ReadSingle(Path.Combine(RepositoryPaths.Chart, "crds", "scalepolicies.yaml"))!
            ["spec"]!["versions"]![0]!["schema"]!["openAPIV3Schema"]!;

    [Theory]
    [InlineData("mode")]
    [InlineData("scaleDownMode")]
    public void Crd_ModeEnum_ListsObserve(string field)
    {
        var values = Schema()["properties"]!["spec"]!["properties"]![field]!["enum"]!.AsArray().Select(v => (string)v!).ToList();

        Assert.Equal(["Auto", "Approval", "Hybrid", "Observe"], values);
    }

    [Fact]
    public void Crd_StatusObservation_KeepsEveryCount()
    {
        var observation = Schema()["properties"]!["status"]!["properties"]!["observation"]!["properties"]!.AsObject();

        Assert.Equal(
            ["since", "lastObserved", "wouldReplicas", "runningReplicas", "observedSeconds", "differentSeconds", "podSecondsMore", "podSecondsLess", "wouldChanges", "workloadChanges"],
            observation.Select(p => p.Key));
    }
}
