using ScaleControl.Core.Policies;
using ScaleControl.Core.Proposals;

namespace ScaleControl.DingTalk.Tests.Support;

internal static class SampleProposals
{
    public static readonly DateTimeOffset Created = new(2026, 11, 25, 10, 32, 0, TimeSpan.Zero);

    public static ScaleProposal Pending(int from = 20, int to = 60, int? alternative = 40, string name = "checkout-api-7f3a") => new()
    {
        Metadata = new ObjectMeta { Namespace = "shop", Name = name },
        Spec = new ScaleProposalSpec
        {
            PolicyName = "checkout-api",
            Target = new TargetRef { Kind = TargetRef.DeploymentKind, Name = "checkout-api" },
            FromReplicas = from,
            ToReplicas = to,
            AlternativeReplicas = alternative,
            Reason = "qps 48.2k rising; predicted 61k in 45 s",
            Approvers = ["zhangsan", "lisi"],
            RequiredApprovals = 1,
            ExpiresAt = Created.AddMinutes(10),
            Evidence = new DecisionEvidence
            {
                CurrentReplicas = from,
                ReadyReplicas = from,
                Metrics =
                [
                    new MetricEvidence { Name = "qps", Value = 48_213, Predicted = 61_000, Target = 500, Recommendation = 122 },
                    new MetricEvidence { Name = "cpu", Value = 0.4, Target = 0.7, Recommendation = 12 },
                ],
            },
        },
    };

    public static ScalePolicy Policy(string group = "cid-oncall==") => new()
    {
        Metadata = new ObjectMeta { Namespace = "shop", Name = "checkout-api" },
        Spec = new ScalePolicySpec
        {
            Target = new TargetRef { Name = "checkout-api" },
            Mode = ScaleMode.Approval,
            Approval = new ApprovalSpec { OpenConversationId = group, Approvers = ["zhangsan", "lisi"] },
        },
    };

    public static ScaleProposal With(this ScaleProposal proposal, ScaleProposalStatus status) => proposal with { Status = status };
}
