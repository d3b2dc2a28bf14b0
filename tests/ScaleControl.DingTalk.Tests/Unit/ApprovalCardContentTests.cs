using System.Text;
using ScaleControl.Core.Proposals;
using ScaleControl.DingTalk.Cards;
using ScaleControl.DingTalk.Tests.Support;
using V = ScaleControl.DingTalk.Cards.ApprovalCardVariables;

namespace ScaleControl.DingTalk.Tests.Unit;

public class ApprovalCardContentTests
{
    private static readonly ApprovalCardContent s_content = new(
        TimeZoneInfo.Utc,
        new Uri("https://scalecontrol.example/ui/"),
        new Dictionary<string, string> { ["zhangsan"] = "Zhang San" });

    [Fact]
    public void Build_ApproverAddedAndMentionedSinceTheCardWasSent_OnCallNamesThemAfterTheApprovers()
    {
        var pending = SampleProposals.Pending();
        var mentioned = pending with { Status = pending.Status with { RosterMentions = [new RosterMention { User = "wangwu", At = pending.Spec.ExpiresAt }] } };

        Assert.Equal("@Zhang San @lisi @wangwu", s_content.Build(mentioned)[V.OnCall]);
        Assert.NotEqual(CardState.Of(pending), CardState.Of(mentioned)); // the reconciler updates the card
    }

    [Fact]
    public void Build_PendingProposal_ShowsWorkloadStepNumbersAndExpiry()
    {
        var card = s_content.Build(SampleProposals.Pending());

        Assert.Equal("shop/checkout-api: 20 → 60 replicas", card[V.Title]);
        Assert.Equal("Deployment shop/checkout-api", card[V.Workload]);
        Assert.Equal("shop", card[V.Namespace]);
        Assert.Equal("20", card[V.ReplicasFrom]);
        Assert.Equal("60", card[V.ReplicasTo]);
        Assert.Equal("40", card[V.HalfStepTo]);
        Assert.Equal("48.2k qps", card[V.CurrentTraffic]);
        Assert.Equal("61k qps", card[V.PredictedTraffic]);
        Assert.Equal("500 qps/pod", card[V.PerPodTarget]);
        Assert.Equal("+40 pods", card[V.CostDelta]);
        Assert.Equal("@Zhang San @lisi", card[V.OnCall]);
        Assert.Equal("10:42:00 UTC", card[V.ExpiresAt]);
        Assert.Equal("pending", card[V.Status]);
        Assert.Equal("Waiting for approval (0/1), expires 10:42:00 UTC", card[V.StatusText]);
        Assert.Equal("", card[V.DecidedBy]);
        Assert.Equal("", card[V.DecidedAt]);
        Assert.Equal("", card[V.Result]);
    }

    [Fact]
    public void Build_NoAlternative_LeavesHalfStepEmpty() =>
        Assert.Equal("", s_content.Build(SampleProposals.Pending(alternative: null))[V.HalfStepTo]);

    [Fact]
    public void Build_Applied_LeavesPendingAndSaysWhoWhatWhen()
    {
        var at = SampleProposals.Created.AddSeconds(61);
        var proposal = SampleProposals.Pending().With(new ScaleProposalStatus
        {
            Phase = ProposalPhase.Applied,
            Approvals = [new ApprovalRecord { User = "zhangsan", Channel = ApprovalChannel.DingTalk, At = at, Replicas = 60 }],
            AppliedReplicas = 60,
            AppliedAt = at.AddSeconds(4),
        });

        var card = s_content.Build(proposal);

        Assert.Equal("applied", card[V.Status]);
        Assert.Equal("Applied", card[V.StatusText]);
        Assert.Equal("Zhang San", card[V.DecidedBy]);
        Assert.Equal("10:33:01 UTC", card[V.DecidedAt]);
        Assert.Equal("applied 20 → 60 at 10:33:05 UTC", card[V.Result]);
    }

    [Fact]
    public void Build_Applied_OffersUndoBackToTheStart_UntilUndone()
    {
        var at = SampleProposals.Created.AddSeconds(61);
        var applied = SampleProposals.Pending().With(new ScaleProposalStatus
        {
            Phase = ProposalPhase.Applied,
            Approvals = [new ApprovalRecord { User = "zhangsan", Channel = ApprovalChannel.DingTalk, At = at, Replicas = 60 }],
            AppliedReplicas = 60,
            AppliedAt = at,
        });
        Assert.Equal("20", s_content.Build(applied)[V.UndoTo]);
        Assert.Equal("", s_content.Build(SampleProposals.Pending())[V.UndoTo]);

        var undone = applied.With(applied.Status with { Undo = new UndoRecord { Proposal = "checkout-api-undo", By = "zhangsan", At = at.AddMinutes(5), Replicas = 20 } });
        var card = s_content.Build(undone);

        Assert.Equal("", card[V.UndoTo]);
        Assert.StartsWith("applied 20 → 60 at 10:33:01 UTC; undone by Zhang San at 10:38:01 UTC: back to 20", card[V.Result], StringComparison.Ordinal);
    }

    [Fact]
    public void Build_WithCapacity_ShowsResourcesCostAndRoom()
    {
        var proposal = SampleProposals.Pending();
        var estimate = ScaleControl.Core.Capacity.CapacityCalculator.Estimate(20, 60, new ScaleControl.Core.Capacity.PodResources(500, 1L << 30),
            new ScaleControl.Core.Capacity.ClusterRoom([new("n1", 8000, 32L << 30, 110, 0, 0, 0)]), new(CpuHour: 2.4m, Currency: "¥"), SampleProposals.Created);

        var card = s_content.Build(proposal with { Spec = proposal.Spec with { Capacity = estimate } });

        Assert.Equal("+40 pods · +20 CPU, +40 GiB · ≈ ¥48.00/h", card[V.CostDelta]);
        Assert.Equal("room: 16 of 40 fit — 24 would stay Pending (needs ~2 more nodes)", card[V.Room]);
    }

    [Fact]
    public void Build_HalfStepApplied_CostAndRoomAreOfWhatWasApplied()
    {
        // Live: Approve half applied 4 → 14 of a 4 → 25 card; the card went on saying "+21 pods · +10.5 CPU" and
        // "13 would stay Pending" while the workload had grown by 10 pods.
        var proposal = SampleProposals.Pending();
        var estimate = ScaleControl.Core.Capacity.CapacityCalculator.Estimate(20, 60, new ScaleControl.Core.Capacity.PodResources(500, 1L << 30),
            new ScaleControl.Core.Capacity.ClusterRoom([new("n1", 8000, 32L << 30, 110, 0, 0, 0)]), new(CpuHour: 2.4m, Currency: "¥"), SampleProposals.Created);
        var at = SampleProposals.Created.AddSeconds(61);
        var applied = (proposal with { Spec = proposal.Spec with { Capacity = estimate } }).With(new ScaleProposalStatus
        {
            Phase = ProposalPhase.Applied,
            Approvals = [new ApprovalRecord { User = "zhangsan", Channel = ApprovalChannel.DingTalk, At = at, Replicas = 30 }],
            AppliedReplicas = 30,
            AppliedAt = at,
        });

        var card = s_content.Build(applied);

        Assert.Equal("+10 pods · +5 CPU, +10 GiB · ≈ ¥12.00/h applied (of +40 pods asked)", card[V.CostDelta]);
        Assert.Equal("room: fits (free 8 CPU on 1 node)", card[V.Room]);
    }

    [Fact]
    public void Build_ApprovedHalfStep_SaysWhichReplicas()
    {
        var proposal = SampleProposals.Pending().With(new ScaleProposalStatus
        {
            Phase = ProposalPhase.Approved,
            Approvals = [new ApprovalRecord { User = "lisi", At = SampleProposals.Created, Replicas = 40 }],
        });

        var card = s_content.Build(proposal);

        Assert.Equal("lisi (40 replicas)", card[V.DecidedBy]);
        Assert.Equal("scaling 20 → 40", card[V.Result]);
        Assert.Equal("Approved, scaling", card[V.StatusText]);
    }

    [Fact]
    public void Build_Failed_ShowsReason()
    {
        var card = s_content.Build(SampleProposals.Pending().With(new ScaleProposalStatus
        {
            Phase = ProposalPhase.Failed,
            Message = "conflict: workload changed since proposal",
        }));

        Assert.Equal("failed: conflict: workload changed since proposal", card[V.Result]);
        Assert.Equal("failed", card[V.Status]);

        // As the lifecycle words it (ProposalLifecycle.MarkFailed): "failed:" once, not "failed: failed: …".
        var marked = s_content.Build(SampleProposals.Pending().With(new ScaleProposalStatus { Phase = ProposalPhase.Failed, Message = "failed: Deployment shop/checkout-api not found" }));
        Assert.Equal("failed: Deployment shop/checkout-api not found", marked[V.Result]);
    }

    [Fact]
    public void Build_RejectedAndExpired_SayWhoAndWhen()
    {
        var rejected = s_content.Build(SampleProposals.Pending().With(new ScaleProposalStatus
        {
            Phase = ProposalPhase.Rejected,
            Rejection = new RejectionRecord { User = "lisi", At = SampleProposals.Created.AddMinutes(1), Reason = "rejected on DingTalk" },
        }));
        var expired = s_content.Build(SampleProposals.Pending().With(new ScaleProposalStatus { Phase = ProposalPhase.Expired }));

        Assert.Equal("lisi", rejected[V.DecidedBy]);
        Assert.Equal("10:33:00 UTC", rejected[V.DecidedAt]);
        Assert.StartsWith("rejected: rejected on DingTalk; no change. Held: no new proposal until ", rejected[V.Result], StringComparison.Ordinal);
        Assert.Contains("unless more than 60 replicas are needed; an approver (", rejected[V.Result], StringComparison.Ordinal);
        Assert.Equal("expired", expired[V.Status]);
        Assert.Equal("10:42:00 UTC", expired[V.DecidedAt]);
        Assert.Equal("expired: nobody decided in time; no change", expired[V.Result]);
    }

    [Fact]
    public void Build_Rejected_NamesTheCountThatLiftsTheHold_TheRefusedOnePlusTheTolerance()
    {
        // Live: the card said "unless more than 26 replicas are needed" while the loop (and the status) held up to 28.
        var pending = SampleProposals.Pending();
        var rejected = s_content.Build(pending with
        {
            Spec = pending.Spec with { Tolerance = 0.1 },
            Status = new ScaleProposalStatus
            {
                Phase = ProposalPhase.Rejected,
                Rejection = new RejectionRecord { User = "lisi", At = SampleProposals.Created.AddMinutes(1), Reason = "not now" },
            },
        });

        Assert.Contains("unless more than 66 replicas are needed; an approver (", rejected[V.Result], StringComparison.Ordinal);
    }

    [Fact]
    public void Build_PartApplied_SaysWhoApprovedThePartAlreadyIn()
    {
        // zhangsan approved the 40 he saw; the target rose to 60 meanwhile: 40 is in, 40 → 60 waits on the same card.
        var rest = s_content.Build(SampleProposals.Pending(from: 40, to: 60).With(new ScaleProposalStatus
        {
            Phase = ProposalPhase.Pending,
            AppliedReplicas = 40,
            AppliedAt = SampleProposals.Created.AddMinutes(1),
            AppliedSteps = [new AppliedStep { From = 20, To = 40, At = SampleProposals.Created.AddMinutes(1) }],
            History =
            [
                new PhaseTransition { To = ProposalPhase.Pending, At = SampleProposals.Created, By = "scalecontrol" },
                new PhaseTransition { From = ProposalPhase.Pending, To = ProposalPhase.Approved, At = SampleProposals.Created.AddMinutes(1), By = "zhangsan" },
                new PhaseTransition { From = ProposalPhase.Approved, To = ProposalPhase.Applying, At = SampleProposals.Created.AddMinutes(1), By = "zhangsan" },
                new PhaseTransition { From = ProposalPhase.Applying, To = ProposalPhase.Pending, At = SampleProposals.Created.AddMinutes(1), By = "scalecontrol" },
            ],
        }));

        // The count it started from too (the storm walkthrough's card read "applied → 4": from what?).
        Assert.Equal("applied 20 → 40 by Zhang San at 10:33:00 UTC; 40 → 60 awaits approval", rest[V.Result]);
    }

    [Fact]
    public void Build_TypedReasons_ShowLiterallyInTheMarkdownFields()
    {
        // reason and result are markdown on the card: what a person typed must not become a link, an image or HTML.
        const string Typed = "see [runbook](http://evil.example) ![x](http://evil.example/t.png) <font color=red>now</font>";
        var pinned = SampleProposals.Pending() with { Spec = SampleProposals.Pending().Spec with { Reason = "pinned by zhangsan: " + Typed } };
        var rejected = s_content.Build(pinned.With(new ScaleProposalStatus
        {
            Phase = ProposalPhase.Rejected,
            Rejection = new RejectionRecord { User = "lisi", At = SampleProposals.Created.AddMinutes(1), Reason = Typed },
        }));

        const string Escaped = @"see \[runbook\]\(http://evil.example) !\[x\]\(http://evil.example/t.png) \<font color=red>now\</font>";
        Assert.Equal("pinned by zhangsan: " + Escaped, rejected[V.Reason]);
        Assert.StartsWith($"rejected: {Escaped}; no change", rejected[V.Result], StringComparison.Ordinal);
    }

    [Fact]
    public void Build_NamesFromRecordsWrittenByHand_ShowLiterallyInTheMarkdownResult()
    {
        // An id needs no space to be a link: one in a record written by hand must not put a button-looking link on the card.
        const string Forged = "[✅Approve](dingtalk://dingtalkclient/page/link?url=https://evil.example)";
        const string Shown = @"\[✅Approve\]\(dingtalk://dingtalkclient/page/link?url=https://evil.example)";
        var at = SampleProposals.Created.AddMinutes(1);
        var applied = SampleProposals.Pending().With(new ScaleProposalStatus { Phase = ProposalPhase.Applied, AppliedReplicas = 60, AppliedAt = at });
        var undone = applied.With(applied.Status with { Undo = new UndoRecord { Proposal = "checkout-api-undo", By = Forged, At = at.AddMinutes(5), Replicas = 20 } });
        var pinned = SampleProposals.Pending().With(new ScaleProposalStatus
        {
            Phase = ProposalPhase.Superseded,
            Supersession = new SupersessionRecord { Action = "pin", ToReplicas = 8, By = Forged },
        });

        Assert.Contains($"undone by {Shown} at", s_content.Build(undone)[V.Result], StringComparison.Ordinal);
        Assert.Equal($"superseded by a pin to 8 by {Shown}", s_content.Build(pinned)[V.Result]);
    }

    [Fact]
    public void Build_TwoPersonRule_CountsTwoApprovals()
    {
        var proposal = SampleProposals.Pending() with { Spec = SampleProposals.Pending().Spec with { RequiresTwoPersons = true } };
        var card = s_content.Build(proposal.With(new ScaleProposalStatus
        {
            Approvals = [new ApprovalRecord { User = "zhangsan", At = SampleProposals.Created, Replicas = 60 }],
        }));

        Assert.Equal("Waiting for approval (1/2), expires 10:42:00 UTC", card[V.StatusText]);
        Assert.Equal("pending", card[V.Status]);
        Assert.Equal("Zhang San", card[V.DecidedBy]);
    }

    [Fact]
    public void Build_TwoPersonRule_AnApproverDroppedSince_CountsWhatCountsNotTheTaps()
    {
        var proposal = SampleProposals.Pending() with { Spec = SampleProposals.Pending().Spec with { RequiresTwoPersons = true } };
        var card = s_content.Build(proposal.With(new ScaleProposalStatus
        {
            Approvals =
            [
                new ApprovalRecord { User = "zhangsan", At = SampleProposals.Created, Replicas = 60 },
                new ApprovalRecord { User = "lisi", At = SampleProposals.Created, Replicas = 60 },
            ],
            ApprovalTally = new ApprovalTally { Counted = 1, Required = 2, NotCounted = [new UncountedApproval { User = "zhangsan", Cause = UncountedCause.NotAnApprover }] },
        }));

        Assert.Equal("Waiting for approval: 1 of 2 approvals (Zhang San is no longer an approver), one more needed; expires 10:42:00 UTC", card[V.StatusText]);
        Assert.Equal("pending", card[V.Status]);
        Assert.Equal("Zhang San, lisi", card[V.DecidedBy]); // who tapped stays on the card
    }

    [Fact]
    public void Build_DetailsLink_IsEncodedDingTalkDeepLink()
    {
        var card = s_content.Build(SampleProposals.Pending());

        Assert.Equal(
            "dingtalk://dingtalkclient/page/link?url=https%3A%2F%2Fscalecontrol.example%2Fui%2Fproposals%2Fshop%2Fcheckout-api-7f3a&pc_slide=true",
            card[V.DetailUrl]);
    }

    [Fact]
    public void Build_NoDetailsBaseUrl_LeavesLinkEmpty()
    {
        var content = new ApprovalCardContent(TimeZoneInfo.Utc, null, new Dictionary<string, string>());

        Assert.Equal("", content.Build(SampleProposals.Pending())[V.DetailUrl]);
    }

    [Fact]
    public void Build_ConfiguredTimeZone_ShowsLocalTimeWithOffset()
    {
        var shanghai = new ApprovalCardContent(TimeZoneInfo.FindSystemTimeZoneById("Asia/Shanghai"), null, new Dictionary<string, string>());

        Assert.Equal("18:42:00 UTC+08:00", shanghai.Build(SampleProposals.Pending())[V.ExpiresAt]);
    }

    [Fact]
    public void Build_HugeReason_IsCutToDingTalksValueLimit()
    {
        var proposal = SampleProposals.Pending();
        proposal = proposal with { Spec = proposal.Spec with { Reason = new string('扩', 2000) } };

        var reason = s_content.Build(proposal)[V.Reason];

        Assert.True(Encoding.UTF8.GetByteCount(reason) <= 1024);
        Assert.EndsWith("…", reason);
    }

    [Fact]
    public void Build_NoEvidence_LeavesNumbersEmptyButCostKnown()
    {
        var proposal = SampleProposals.Pending();
        var card = s_content.Build(proposal with { Spec = proposal.Spec with { Evidence = null, ToReplicas = 12 } });

        Assert.Equal("", card[V.CurrentTraffic]);
        Assert.Equal("", card[V.PerPodTarget]);
        Assert.Equal("-8 pods", card[V.CostDelta]);
    }

    [Fact]
    public void Build_EveryTemplateVariable_IsPresentAsString()
    {
        var declared = typeof(V).GetFields().Select(f => (string)f.GetValue(null)!).Where(v => v != V.PrivateMessage);

        var card = s_content.Build(SampleProposals.Pending());

        Assert.Equal(declared.Order(), card.Keys.Order());
    }

    [Fact]
    public void TemplateDescription_DeclaresEveryVariableTheBuilderSends()
    {
        var path = Path.Combine(RepoRoot(), "samples", "dingtalk", "approval-card-template.json");
        using var json = System.Text.Json.JsonDocument.Parse(File.ReadAllText(path));
        var declared = json.RootElement.GetProperty("variables").EnumerateArray().Select(v => v.GetProperty("name").GetString()!);

        Assert.Equal(s_content.Build(SampleProposals.Pending()).Keys.Order(), declared.Order());
    }

    [Fact]
    public void Build_Variables_AreExactlyThoseOfTheSandboxTemplate()
    {
        var template = ScaleControl.Sandbox.DingTalk.SandboxCardTemplate.ScaleApproval();

        Assert.Equal(template.Variables.Select(v => v.Name).Order(), s_content.Build(SampleProposals.Pending()).Keys.Order());
        Assert.Equal([V.PrivateMessage], template.PrivateVariables.Select(v => v.Name));
    }

    [Theory]
    [InlineData(48213, "48.2k")]
    [InlineData(1234567, "1.2M")]
    [InlineData(12.345, "12.35")]
    [InlineData(500, "500")]
    public void Compact_FormatsNumbersShortly(double value, string expected) =>
        Assert.Equal(expected, ApprovalCardContent.Compact(value));

    private static string RepoRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "ScaleControl.sln")))
        {
            dir = dir.Parent;
        }

        return dir?.FullName ?? throw new InvalidOperationException("repository root not found");
    }
}
