using ScaleControl.Core.Policies;

namespace ScaleControl.Core.Tests;

/// <summary>Valid policies that tests change one field at a time.</summary>
internal static class TestPolicies
{
    public static ScalePolicy Auto(int min = 2, int max = 100, double target = 500) => new()
    {
        Metadata = new ObjectMeta { Name = "checkout-api", Namespace = "shop" },
        Spec = new ScalePolicySpec
        {
            Target = new TargetRef { Kind = TargetRef.DeploymentKind, Name = "checkout-api" },
            Metrics = [new MetricSpec { Name = "qps", Query = "sum(rate(http_requests_total[1m]))", Target = target }],
            MinReplicas = min,
            MaxReplicas = max,
        },
    };

    public static ScalePolicy Approval(params string[] approvers) => WithSpec(Auto(), s => s with
    {
        Mode = ScaleMode.Approval,
        Approval = new ApprovalSpec
        {
            OpenConversationId = "cidOnCall==",
            Approvers = approvers.Length == 0 ? ["alice", "bob"] : approvers,
        },
    });

    /// <summary>
    /// The replay benchmark's policy (samples/policies/replay-benchmark.yaml): 500/pod, tolerance 0.1 (0.04 up), 300 s
    /// down window, 5 s loop, prediction on (look-ahead 60 s, look-back 120 s, max growth factor 1.25).
    /// </summary>
    public static ScalePolicy ReplayBenchmark() => WithSpec(Auto(min: 2, max: 500), s => s with
    {
        Tolerance = 0.1,
        EvaluationIntervalSeconds = 5,
        Behavior = new ScalingBehavior
        {
            ScaleUp = new DirectionBehavior { PeriodSeconds = 15, Tolerance = 0.04, MaxStep = new StepLimit { Percent = 300 } },
            ScaleDown = new DirectionBehavior { PeriodSeconds = 15, StabilizationWindowSeconds = 300, CooldownSeconds = 60, MaxStep = new StepLimit { Percent = 100 } },
        },
        Prediction = new PredictionSpec { Enabled = true, LookAheadSeconds = 60, LookBackSeconds = 120, MaxGrowthFactor = 1.25 },
    });

    public static ScalePolicy WithSpec(ScalePolicy policy, Func<ScalePolicySpec, ScalePolicySpec> change) =>
        policy with { Spec = change(policy.Spec) };

    public static string RepoRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "ScaleControl.sln")))
        {
            dir = dir.Parent;
        }

        return dir?.FullName ?? throw new InvalidOperationException("repository root not found");
    }
}
