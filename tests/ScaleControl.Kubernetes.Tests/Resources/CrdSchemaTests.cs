using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using ScaleControl.Core.Policies;
using ScaleControl.Core.Proposals;
using ScaleControl.Kubernetes.Resources;

namespace ScaleControl.Kubernetes.Tests.Resources;

public class CrdSchemaTests
{
    [Fact]
    public void ScalePolicy_FullySpecified_FitsSchemaWithNothingPruned()
    {
        var schema = StructuralSchema.VersionSchema(StructuralSchema.LoadCrd("scalepolicies.yaml"));
        var json = JsonSerializer.SerializeToNode(SampleResources.FullPolicy(), CustomResourceJson.Options);

        Assert.Empty(StructuralSchema.Problems(json, schema));
    }

    [Fact]
    public void ScaleProposal_FullySpecified_FitsSchemaWithNothingPruned()
    {
        var schema = StructuralSchema.VersionSchema(StructuralSchema.LoadCrd("scaleproposals.yaml"));
        var json = JsonSerializer.SerializeToNode(SampleResources.FullProposal(), CustomResourceJson.Options);

        Assert.Empty(StructuralSchema.Problems(json, schema));
    }

    [Fact]
    public void Schema_UnknownField_IsReportedAsPruned()
    {
        var schema = StructuralSchema.VersionSchema(StructuralSchema.LoadCrd("scalepolicies.yaml"));
        var json = JsonSerializer.SerializeToNode(SampleResources.FullPolicy(), CustomResourceJson.Options)!.AsObject();
        json["spec"]!["replicaz"] = 3;

        Assert.Contains(".spec.replicaz: not in the schema (would be pruned)", StructuralSchema.Problems(json, schema));
    }

    [Fact]
    public void Schemas_EnumLists_MatchCoreEnums()
    {
        var policy = StructuralSchema.VersionSchema(StructuralSchema.LoadCrd("scalepolicies.yaml"));
        var proposal = StructuralSchema.VersionSchema(StructuralSchema.LoadCrd("scaleproposals.yaml"));

        Assert.Equal(Enum.GetNames<ScaleMode>(), StructuralSchema.EnumAt(policy, "spec.mode"));
        Assert.Equal(Enum.GetNames<ScaleMode>(), StructuralSchema.EnumAt(policy, "spec.scaleDownMode"));
        Assert.Equal(Enum.GetNames<MetricTargetType>(), StructuralSchema.EnumAt(policy, "spec.metrics.[].targetType"));
        Assert.Equal(Enum.GetNames<DingType>(), StructuralSchema.EnumAt(policy, "spec.approval.escalation.dingType"));
        Assert.Equal(Enum.GetNames<ProposalPhase>(), StructuralSchema.EnumAt(proposal, "status.phase"));
        Assert.Equal(Enum.GetNames<ProposalPhase>(), StructuralSchema.EnumAt(proposal, "status.history.[].to"));
        Assert.Equal(Enum.GetNames<ApprovalChannel>(), StructuralSchema.EnumAt(proposal, "status.approvals.[].channel"));
        Assert.Equal(Enum.GetNames<ApprovalChannel>(), StructuralSchema.EnumAt(proposal, "status.undo.channel"));
        Assert.Equal(Enum.GetNames<UndoWithdrawalCause>(), StructuralSchema.EnumAt(proposal, "status.undoWithdrawn.cause"));
        Assert.Equal(Enum.GetNames<UncountedCause>(), StructuralSchema.EnumAt(proposal, "status.approvalTally.notCounted.[].cause"));
        Assert.Equal(Enum.GetNames<ScaleControl.Core.Capacity.RoomVerdict>(), StructuralSchema.EnumAt(proposal, "spec.capacity.room"));
        Assert.Equal([TargetRef.DeploymentKind, TargetRef.StatefulSetKind], StructuralSchema.EnumAt(policy, "spec.target.kind"));
    }

    [Theory]
    [InlineData("spec.evaluationIntervalSeconds", 1, 600)] // the validator's MaxEvaluationIntervalSeconds
    [InlineData("spec.minReplicas", 1, ScalePolicySpec.MaxReplicaCount)] // as pins
    [InlineData("spec.maxReplicas", 1, ScalePolicySpec.MaxReplicaCount)]
    [InlineData("spec.pin.replicas", 1, ScalePolicySpec.MaxReplicaCount)]
    public void Schema_BoundsTheLoopActsOn_AreTheValidatorsToo(string dottedPath, int minimum, int? maximum)
    {
        // kubectl writes behind the API's back: only the schema stands between a typo and a policy that sleeps for
        // 68 years (evaluationIntervalSeconds: 2147483647) or a pin or floor of zero.
        var node = StructuralSchema.NodeAt(StructuralSchema.VersionSchema(StructuralSchema.LoadCrd("scalepolicies.yaml")), dottedPath);

        Assert.Equal(minimum.ToString(CultureInfo.InvariantCulture), node["minimum"]?.ToString()); // the YAML's numbers load as text
        Assert.Equal(maximum?.ToString(CultureInfo.InvariantCulture), node["maximum"]?.ToString());
    }

    [Theory]
    [InlineData("spec.expectedEvents.[].name", 63)] // a DNS label
    [InlineData("spec.expectedEvents.[].reason", ScaleControl.Core.Policies.Validation.TextLimits.Reason)]
    [InlineData("spec.expectedEvents.[].baseSource", ScaleControl.Core.Decisions.ExpectedEventBaseline.MaxSourceLength)]
    public void Schema_ExpectedEventTexts_HaveTheValidatorsMaxLength(string dottedPath, int maxLength)
    {
        // describe, the group and the card show them: the schema refuses what the validator would, before it is stored.
        var node = StructuralSchema.NodeAt(StructuralSchema.VersionSchema(StructuralSchema.LoadCrd("scalepolicies.yaml")), dottedPath);

        Assert.Equal(maxLength.ToString(CultureInfo.InvariantCulture), node["maxLength"]?.ToString());
    }

    [Theory]
    [InlineData("scalepolicies.yaml")]
    [InlineData("scaleproposals.yaml")]
    public void Schema_EveryIntegerField_HasTheMaximumItsModelHolds(string crd)
    {
        // Without one the API server stores 99999999999, which the product's int cannot read: it skipped the object and
        // acted on the version before the edit (now it reads a policy as an unreadable stand-in, but the schema says it first).
        string[] int64 = ["milliCpu", "memoryBytes", "freeMilliCpu", "freeMemoryBytes"];
        var fields = IntegerFields(StructuralSchema.VersionSchema(StructuralSchema.LoadCrd(crd)), "").ToList();

        Assert.NotEmpty(fields);
        Assert.All(fields, f => Assert.True(
            f.Maximum is { } max && max <= (int64.Contains(f.Path.Split('.')[^1]) ? long.MaxValue : int.MaxValue),
            $"{crd}: {f.Path} has maximum {f.Maximum?.ToString(CultureInfo.InvariantCulture) ?? "none"}"));
    }

    private static IEnumerable<(string Path, long? Maximum)> IntegerFields(JsonObject schema, string path)
    {
        if ((string?)schema["type"]?.ToString() == "integer")
        {
            yield return (path, long.TryParse(schema["maximum"]?.ToString(), NumberStyles.Integer, CultureInfo.InvariantCulture, out var max) ? max : null);
        }

        var children = (schema["properties"] as JsonObject)?.Select(p => (p.Key, p.Value)) ?? [];
        if (schema["items"] is JsonObject items)
        {
            children = children.Append(("[]", items));
        }

        foreach (var (name, child) in children)
        {
            if (child is JsonObject node)
            {
                foreach (var field in IntegerFields(node, path.Length == 0 ? name : $"{path}.{name}"))
                {
                    yield return field;
                }
            }
        }
    }

    [Fact]
    public void Crds_PrinterColumns_PointAtFieldsTheModelsWrite()
    {
        var policyJson = JsonSerializer.SerializeToNode(SampleResources.FullPolicy(), CustomResourceJson.Options)!;
        var proposalJson = JsonSerializer.SerializeToNode(SampleResources.FullProposal(), CustomResourceJson.Options)!;

        foreach (var (file, json) in new[] { ("scalepolicies.yaml", policyJson), ("scaleproposals.yaml", proposalJson) })
        {
            var columns = StructuralSchema.LoadCrd(file)["spec"]!["versions"]![0]!["additionalPrinterColumns"]!.AsArray();
            foreach (var path in columns.Select(c => (string)c!["jsonPath"]!).Where(p => !p.StartsWith(".metadata", StringComparison.Ordinal)))
            {
                JsonNode? node = json;
                foreach (var part in path.TrimStart('.').Replace("[*]", "", StringComparison.Ordinal).Split('.'))
                {
                    node = node is JsonArray array ? array[0]?[part] : node?[part];
                }

                Assert.True(node is not null, $"{file}: printer column {path} finds nothing");
            }
        }
    }

    [Fact]
    public void CustomResourceJson_RoundTrip_KeepsEveryField()
    {
        var policy = SampleResources.FullPolicy();
        var proposal = SampleResources.FullProposal();

        var policyJson = JsonSerializer.Serialize(policy, CustomResourceJson.Options);
        var proposalJson = JsonSerializer.Serialize(proposal, CustomResourceJson.Options);

        Assert.Equal(policyJson, JsonSerializer.Serialize(JsonSerializer.Deserialize<ScalePolicy>(policyJson, CustomResourceJson.Options), CustomResourceJson.Options));
        Assert.Equal(proposalJson, JsonSerializer.Serialize(JsonSerializer.Deserialize<ScaleProposal>(proposalJson, CustomResourceJson.Options), CustomResourceJson.Options));
        Assert.Contains("\"mode\":\"Hybrid\"", policyJson, StringComparison.Ordinal);
        Assert.Contains("\"phase\":\"Applied\"", proposalJson, StringComparison.Ordinal);
        Assert.Contains("\"until\":\"2026-11-25T10:32:05+00:00\"", policyJson, StringComparison.Ordinal);
    }

    [Fact]
    public void CustomResourceJson_YamlPolicyFile_ReadsIntoCoreModel()
    {
        const string yaml = """
            apiVersion: scalecontrol.io/v1alpha1
            kind: ScalePolicy
            metadata:
              name: search
              namespace: shop
            spec:
              target: {kind: Deployment, name: search}
              metrics:
                - {name: qps, query: 'sum(rate(x[1m]))', targetType: PerReplica, target: 400}
              minReplicas: 3
              maxReplicas: 30
              mode: Approval
            """;
        var model = new YamlDotNet.Serialization.DeserializerBuilder().Build().Deserialize<object>(yaml);
        var json = new YamlDotNet.Serialization.SerializerBuilder().JsonCompatible().Build().Serialize(model);

        // YAML scalars come through as strings ("3"); the CRD JSON of an API server has real numbers.
        var policy = JsonSerializer.Deserialize<ScalePolicy>(json, new JsonSerializerOptions(CustomResourceJson.Options)
        {
            NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.AllowReadingFromString,
        })!;

        Assert.Equal(ScaleMode.Approval, policy.Spec.Mode);
        Assert.Equal(30, policy.Spec.MaxReplicas);
        Assert.Equal(400, policy.Spec.Metrics[0].Target);
        Assert.Equal("shop/search", policy.Key);
    }
}
