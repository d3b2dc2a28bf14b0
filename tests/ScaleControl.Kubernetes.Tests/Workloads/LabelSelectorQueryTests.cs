using k8s.Models;
using ScaleControl.Kubernetes.Workloads;

namespace ScaleControl.Kubernetes.Tests.Workloads;

/// <summary>A workload's selector as the labelSelector of its pod list, in the syntax the API server parses.</summary>
public sealed class LabelSelectorQueryTests
{
    [Fact]
    public void Of_LabelsAndEveryOperator_AsTheApiServerReadsThem()
    {
        var selector = new V1LabelSelector
        {
            MatchLabels = new Dictionary<string, string> { ["tier"] = "web", ["app"] = "checkout-api" },
            MatchExpressions =
            [
                new V1LabelSelectorRequirement { Key = "track", OperatorProperty = "In", Values = ["stable", "canary"] },
                new V1LabelSelectorRequirement { Key = "zone", OperatorProperty = "NotIn", Values = ["cn-north-1a"] },
                new V1LabelSelectorRequirement { Key = "team", OperatorProperty = "Exists" },
                new V1LabelSelectorRequirement { Key = "legacy", OperatorProperty = "DoesNotExist" },
            ],
        };

        Assert.Equal("app=checkout-api,tier=web,track in (stable,canary),zone notin (cn-north-1a),team,!legacy", LabelSelectorQuery.Of(selector));
    }

    [Fact]
    public void Of_NoSelectorOrAnEmptyOne_IsNull_NeverEveryPodOfTheNamespace()
    {
        Assert.Null(LabelSelectorQuery.Of(null));
        Assert.Null(LabelSelectorQuery.Of(new V1LabelSelector()));
    }
}
