using ScaleControl.Core.Capacity;
using ScaleControl.Core.Policies;
using ScaleControl.Core.Proposals;
using ScaleControl.DingTalk.Cards;
using ScaleControl.DingTalk.Tests.Support;
using V = ScaleControl.DingTalk.Cards.ApprovalCardVariables;

namespace ScaleControl.DingTalk.Tests.Unit;

/// <summary>An Automatic policy's burst of steps as one card: the ramp, when it started, what runs now at what cost, Undo all.</summary>
public class AutoCardContentTests
{
    private static readonly ApprovalCardContent s_content = new(TimeZoneInfo.Utc, null, new Dictionary<string, string>());

    private static ScaleProposal Step(int from, int to, int minute, string? workload = null, string? group = null)
    {
        var p = SampleProposals.Pending(from, to, alternative: null, name: $"{workload ?? "checkout-api"}-{minute}");
        var at = SampleProposals.Created.AddMinutes(minute);
        return p with
        {
            Metadata = p.Metadata with { Labels = new Dictionary<string, string> { [ProposalFactory.ActionLabel] = "auto" } },
            Spec = p.Spec with
            {
                Group = group,
                Target = new TargetRef { Kind = TargetRef.DeploymentKind, Name = workload ?? "checkout-api" },
                Capacity = new CapacityEstimate { Pods = to - from, MilliCpu = (to - from) * 500, MemoryBytes = (to - from) * 512L * 1024 * 1024, CostPerHour = (to - from) * 2.4m, Currency = "¥" },
            },
            Status = p.Status with { Phase = ProposalPhase.Applied, AppliedReplicas = to, AppliedAt = at },
        };
    }

    [Fact]
    public void BuildGroup_AutomaticSteps_OneTitleWithTheRamp_NoApprovalButtons_UndoAll()
    {
        var card = s_content.BuildGroup([Step(4, 7, 0), Step(7, 12, 1), Step(12, 15, 3)]);

        Assert.Equal("shop/checkout-api scaling automatically: 4 → 7 → 12 → 15", card[V.Title]);
        Assert.Equal(ApprovalCardContent.AutoStatus, card[V.Status]);
        Assert.Equal("started 10:32:00 UTC · 3 steps, latest 10:35:00 UTC", card[V.StatusText]);
        Assert.Equal(("4", "15"), (card[V.ReplicasFrom], card[V.ReplicasTo]));
        Assert.Equal("+11 pods · +5.5 CPU, +5.5 GiB · ≈ ¥26.40/h; now 15 pods · ≈ ¥36.00/h", card[V.CostDelta]);
        Assert.Equal("ScaleControl (automatic policy)", card[V.DecidedBy]);
        Assert.Equal("qps 48.2k rising; predicted 61k in 45 s", card[V.Reason]);
        Assert.Equal(("", "", "", "3"), (card[V.HalfStepTo], card[V.OnCall], card[V.UndoTo], card[V.UndoAll]));
        var rows = card[V.Rows].Split('\n');
        Assert.Equal(3, rows.Length);
        Assert.StartsWith("10:35:00 UTC **shop/checkout-api** 12 → 15 · 48.2k qps", rows[0], StringComparison.Ordinal); // newest first
        Assert.Equal(s_content.Build(SampleProposals.Pending()).Keys.Order(), card.Keys.Order()); // the template's variables, every one
    }

    [Fact]
    public void Build_FirstStep_IsAlreadyTheAutomaticCard()
    {
        var card = s_content.Build(Step(4, 7, 0));

        Assert.Equal("shop/checkout-api scaling automatically: 4 → 7", card[V.Title]);
        Assert.Equal(ApprovalCardContent.AutoStatus, card[V.Status]);
    }

    [Fact]
    public void BuildGroup_AChainScalingAutomatically_OneCardForTheServices()
    {
        var card = s_content.BuildGroup([Step(2, 4, 0, "feed-gateway", "feed-chain"), Step(2, 3, 0, "feed-api", "feed-chain"), Step(4, 6, 2, "feed-gateway", "feed-chain")]);

        Assert.Equal("feed-chain: 2 services scaling automatically (4 → 9 replicas)", card[V.Title]);
        Assert.Equal("shop/feed-gateway: applied 4 → 6 at 10:34:00 UTC\nshop/feed-api: applied 2 → 3 at 10:32:00 UTC", card[V.Result]);
    }
}
