using ScaleControl.Core.Ports;
using ScaleControl.Core.Proposals;
using ScaleControl.DingTalk.Cards;
using ScaleControl.DingTalk.Tests.Support;
using V = ScaleControl.DingTalk.Cards.ApprovalCardVariables;

namespace ScaleControl.DingTalk.Tests.Unit;

/// <summary>
/// The card of a proposal with approvals or a rejection ScaleControl did not record (written into its status by hand):
/// the host says which (<see cref="IRecordSeals"/>, here a stand-in naming the forged records) and with what words; the
/// card marks them, never sizes the step from them, and shows no hold for a rejection it cannot vouch for.
/// </summary>
public class UnverifiedRecordsCardTests
{
    private const string Why = "unverified: no signature: not recorded by ScaleControl, written by hand";

    private static readonly ApprovalCardContent s_content = new(
        TimeZoneInfo.Utc,
        new Uri("https://scalecontrol.example/ui/"),
        new Dictionary<string, string> { ["zhangsan"] = "Zhang San" },
        seals: new ForgedBy("zhangsan"));

    [Theory]
    [InlineData(ProposalPhase.Approved)]
    [InlineData(ProposalPhase.Applying)]
    public void Build_ScalingWithAHandWrittenLowApprovalLast_SaysTheRecordedStep_MarksTheClaim(ProposalPhase phase)
    {
        var card = s_content.Build(SampleProposals.Pending().With(new ScaleProposalStatus
        {
            Phase = phase,
            Approvals =
            [
                new ApprovalRecord { User = "lisi", At = SampleProposals.Created, Replicas = 60 },
                new ApprovalRecord { User = "zhangsan", At = SampleProposals.Created, Replicas = 40 }, // "more cautious", by hand
            ],
        }));

        Assert.Equal("scaling 20 → 60", card[V.Result]);
        Assert.Equal($"lisi, Zhang San (40 replicas, {Why})", card[V.DecidedBy]);
    }

    [Fact]
    public void Build_PendingWithAHandWrittenApproval_DoesNotCountIt()
    {
        var card = s_content.Build(SampleProposals.Pending().With(new ScaleProposalStatus
        {
            Approvals = [new ApprovalRecord { User = "zhangsan", At = SampleProposals.Created, Replicas = 60 }],
        }));

        Assert.Equal("Waiting for approval (0/1), expires 10:42:00 UTC", card[V.StatusText]);
        Assert.Equal($"Zhang San ({Why})", card[V.DecidedBy]);
    }

    [Fact]
    public void Build_HandWrittenRejection_MarkedBeforeItsReason_HoldsNothingBack()
    {
        var card = s_content.Build(SampleProposals.Pending().With(new ScaleProposalStatus
        {
            Phase = ProposalPhase.Rejected,
            Rejection = new RejectionRecord { User = "zhangsan", At = SampleProposals.Created.AddMinutes(1), Reason = "approved by the CTO: do not scale" },
        }));

        Assert.Equal($"Zhang San ({Why})", card[V.DecidedBy]);
        Assert.Equal(
            $"rejected ({Why}): approved by the CTO: do not scale; no change. Nothing held back: a new proposal follows while the change is still needed",
            card[V.Result]);
    }

    [Fact]
    public void Build_RecordedRejection_StillHolds()
    {
        var card = s_content.Build(SampleProposals.Pending().With(new ScaleProposalStatus
        {
            Phase = ProposalPhase.Rejected,
            Rejection = new RejectionRecord { User = "lisi", At = SampleProposals.Created.AddMinutes(1), Reason = "not now" },
        }));

        Assert.Equal("lisi", card[V.DecidedBy]);
        Assert.StartsWith("rejected: not now; no change. Held: no new proposal until ", card[V.Result], StringComparison.Ordinal);
    }

    /// <summary>The host's answer when every record in <paramref name="user"/>'s name was written by hand.</summary>
    private sealed class ForgedBy(string user) : IRecordSeals
    {
        public RecordDoubts Of(ScaleProposal proposal) => new(
            [.. proposal.Status.Approvals.Select(a => a.User == user ? Why : null)],
            proposal.Status.Rejection?.User == user ? Why : null);
    }
}
