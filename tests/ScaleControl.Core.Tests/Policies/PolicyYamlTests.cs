using ScaleControl.Core.Policies;
using ScaleControl.Core.Policies.Validation;
using ScaleControl.Policies.Yaml;

namespace ScaleControl.Core.Tests.Policies;

public class PolicyYamlTests
{
    private const string Minimal = """
        apiVersion: scalecontrol.io/v1alpha1
        kind: ScalePolicy
        metadata:
          name: api
          namespace: shop
        spec:
          target: {kind: StatefulSet, name: api}
          metrics:
            - name: qps
              query: sum(rate(x[1m]))
              targetType: Average
              target: 250
          minReplicas: 3
          maxReplicas: 30
          mode: Approval
          approval:
            openConversationId: cid==
            approvers: [alice, bob]
          schedules:
            - name: gala
              start: 2027-02-05T19:50:00+08:00
              end: 2027-02-05T23:30:00+08:00
              minReplicas: 20
        """;

    [Fact]
    public void Load_CamelCaseDocument_MapsEveryLevel()
    {
        var policy = PolicyYaml.Load(Minimal);

        Assert.Equal("shop/api", policy.Key);
        Assert.Equal(TargetRef.StatefulSetKind, policy.Spec.Target.Kind);
        Assert.Equal(MetricTargetType.Average, policy.Spec.Metrics[0].TargetType);
        Assert.Equal(250, policy.Spec.Metrics[0].Target);
        Assert.Equal(ScaleMode.Approval, policy.Spec.Mode);
        Assert.Equal(["alice", "bob"], policy.Spec.Approval!.Approvers);
        Assert.Equal(ScaleControl.Core.Proposals.ReturnToNormalRules.DefaultAfterSeconds, policy.Spec.Approval.ReturnToNormalAfterSeconds);
        Assert.Equal(new DateTimeOffset(2027, 2, 5, 11, 50, 0, TimeSpan.Zero), policy.Spec.Schedules[0].Start);
        Assert.Equal(0.1, policy.Spec.Tolerance); // defaults survive for fields left out
    }

    [Fact]
    public void Load_ReturnToNormalOff_ReadsZero()
    {
        var policy = PolicyYaml.Load(Minimal.Replace("approvers: [alice, bob]", "approvers: [alice, bob]\n    returnToNormalAfterSeconds: 0", StringComparison.Ordinal));

        Assert.Equal(0, policy.Spec.Approval!.ReturnToNormalAfterSeconds);
    }

    [Fact]
    public void SaveThenLoad_RoundTripsThePolicy()
    {
        var policy = PolicyYaml.Load(Minimal);

        var again = PolicyYaml.Load(PolicyYaml.Save(policy));

        Assert.Equal(PolicyYaml.Save(policy), PolicyYaml.Save(again));
        Assert.Equivalent(policy.Spec.Schedules[0], again.Spec.Schedules[0], strict: true);
    }

    [Fact]
    public void Save_WritesEnumsByNameAndNoKeyProperty()
    {
        var yaml = PolicyYaml.Save(PolicyYaml.Load(Minimal));

        Assert.Contains("mode: Approval", yaml, StringComparison.Ordinal);
        Assert.Contains("targetType: Average", yaml, StringComparison.Ordinal);
        Assert.DoesNotContain("key:", yaml, StringComparison.Ordinal);
    }

    [Fact]
    public void LoadAll_MultiDocument_ReturnsEachPolicyAndSkipsEmptyDocuments()
    {
        var two = Minimal + "\n---\n" + Minimal.Replace("name: api\n", "name: api-2\n", StringComparison.Ordinal) + "\n---\n";

        var policies = PolicyYaml.LoadAll(two);

        Assert.Equal(["shop/api", "shop/api-2"], policies.Select(p => p.Key));
    }

    [Fact]
    public void Load_TwoDocuments_RefusesWithCount()
    {
        var e = Assert.Throws<PolicyYamlException>(() => PolicyYaml.Load(Minimal + "\n---\n" + Minimal, "two.yaml"));
        Assert.Contains("found 2", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_UnknownField_ReportsLineColumnAndField()
    {
        var yaml = Minimal.Replace("  minReplicas: 3", "  minReplica: 3", StringComparison.Ordinal);

        var e = Assert.Throws<PolicyYamlException>(() => PolicyYaml.Load(yaml, "bad.yaml"));

        Assert.Equal(13, e.Line);
        Assert.StartsWith("bad.yaml:13:3:", e.Message, StringComparison.Ordinal);
        Assert.Contains("minReplica", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("1")]
    [InlineData("99")]
    [InlineData("Auto, Approval")]
    public void Load_ModeGivenAsANumber_IsRefusedNamingTheModes(string mode)
    {
        var e = Assert.Throws<PolicyYamlException>(() => PolicyYaml.Load(Minimal.Replace("mode: Approval", $"mode: {mode}", StringComparison.Ordinal)));

        Assert.Equal(15, e.Line);
        Assert.Contains("one of Auto, Approval", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_UnknownMode_ReportsLine()
    {
        var e = Assert.Throws<PolicyYamlException>(() => PolicyYaml.Load(Minimal.Replace("mode: Approval", "mode: Sometimes", StringComparison.Ordinal)));
        Assert.Equal(15, e.Line);
    }

    [Fact]
    public void Load_BrokenIndentation_ReportsPosition()
    {
        var e = Assert.Throws<PolicyYamlException>(() => PolicyYaml.Load("spec:\n  minReplicas: 1\n maxReplicas: 2\n", "indent.yaml"));
        Assert.NotNull(e.Line);
        Assert.StartsWith("indent.yaml:", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_BadTimestamp_ExplainsExpectedFormat()
    {
        var e = Assert.Throws<PolicyYamlException>(() => PolicyYaml.Load(Minimal.Replace("2027-02-05T19:50:00+08:00", "tonight", StringComparison.Ordinal)));
        Assert.Contains("ISO-8601", e.Message, StringComparison.Ordinal);
        Assert.Equal(21, e.Line);
    }

    [Fact]
    public void SamplePolicies_LoadAndValidate()
    {
        // Every policy file anywhere under samples/ (policies/, prometheus/policies/, ...).
        var files = Directory.GetFiles(Path.Combine(TestPolicies.RepoRoot(), "samples"), "*.yaml", SearchOption.AllDirectories);
        Assert.NotEmpty(files);
        var validator = new ScalePolicyValidator();
        foreach (var file in files)
        {
            foreach (var policy in PolicyYaml.LoadFile(file))
            {
                var result = validator.Validate(policy);
                Assert.True(result.IsValid, $"{file} {policy.Key}: {result}");
            }
        }
    }
}
