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
