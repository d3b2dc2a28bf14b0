using ScaleControl.Core.Policies;
using ScaleControl.Core.Proposals;

namespace ScaleControl.Kubernetes.Tests.Resources;

/// <summary>Models with every field set, so a schema or serializer gap cannot hide behind a default.</summary>
internal static class SampleResources
{
    private static readonly DateTimeOffset s_at = new(2026, 11, 25, 10, 32, 5, TimeSpan.Zero);

    public static ScalePolicy FullPolicy(string @namespace = "shop", string name = "checkout") => new()
    {
        Metadata = new ObjectMeta
        {
            Name = name,
            Namespace = @namespace,
            Labels = new Dictionary<string, string> { ["team"] = "sre" },
            Annotations = new Dictionary<string, string> { ["note"] = "hot event" },
        },
        Spec = new ScalePolicySpec
        {
            Target = new TargetRef { Kind = TargetRef.StatefulSetKind, Name = "checkout" },
            Metrics = [new MetricSpec { Name = "qps", Query = "sum(rate(http_requests_total[1m]))", TargetType = MetricTargetType.Average, Target = 500.5 }],
            MinReplicas = 2,
            MaxReplicas = 80,
            Tolerance = 0.15,
            Mode = ScaleMode.Hybrid,
            ScaleDownMode = ScaleMode.Approval,
            AutoApproveMaxStep = new StepLimit { Pods = 4, Percent = 50 },
            Behavior = new ScalingBehavior
            {
                ScaleUp = new DirectionBehavior { MaxStep = new StepLimit { Pods = 10 }, PeriodSeconds = 30, StabilizationWindowSeconds = 5, CooldownSeconds = 10 },
                ScaleDown = DirectionBehavior.DefaultScaleDown,
            },
            Prediction = new PredictionSpec { Enabled = true, LookAheadSeconds = 45, LookBackSeconds = 90, MaxGrowthFactor = 2.5 },
            Schedules =
            [
                new ScheduleSpec { Name = "gala", Cron = "0 20 * * 6", TimeZone = "Asia/Shanghai", DurationSeconds = 7200, MinReplicas = 40 },
                new ScheduleSpec { Name = "launch", Start = s_at, End = s_at.AddHours(2), MinReplicas = 30 },
            ],
            LeadingSignal = new LeadingSignalSpec { Name = "push", Query = "sum(rate(push_sent_total[1m]))", Metric = "qps", RequestsPerUnit = 0.05, LeadSeconds = 90, HoldSeconds = 600, Headroom = 0.1 },
            ExpectedEvents =
            [
                new ExpectedEventSpec
                {
                    Name = "push-2000", At = s_at, DurationSeconds = 1200, LeadSeconds = 300, Replicas = 36, Multiplier = 3, BaseReplicas = 12,
                    BaseSource = "the demand 1 day before, at 2026-12-03 20:00Z; 10 running now",
                    Reason = "push to 30M users", By = "u1", Channel = "Cli", CreatedAt = s_at.AddHours(-1),
                },
            ],
            Approval = new ApprovalSpec
            {
                OpenConversationId = "cid-oncall",
                Approvers = ["u1", "u2"],
                RequiredApprovals = 1,
                TwoPersonRule = new TwoPersonRule { AboveReplicas = 50, AboveStepPercent = 100 },
                ExpirySeconds = 600,
                Escalation = new EscalationSpec { AfterSeconds = 120, DingType = DingType.Call, Receivers = ["u1"] },
                AllowHalfStep = true,
            },
            Notifications = new NotificationSpec { OpenConversationId = "cid-notices", Webhook = "sre-robot" },
            EvaluationIntervalSeconds = 5,
            Freeze = new FreezeSpec { Until = s_at, Reason = "incident", By = "u1" },
            Pin = new PinSpec { Replicas = 12, Until = s_at, Reason = "load test", By = "u2" },
        },
        Status = new ScalePolicyStatus
        {
            LastEvaluationTime = s_at,
            CurrentReplicas = 10,
            DesiredReplicas = 14,
            HeldBy = "cooldown",
            UnheldReplicas = 16,
            LastReason = "QPS rising",
            Conditions = [new Condition { Type = "MetricUnavailable", Status = "False", Reason = "Ok", Message = "fine", LastTransitionTime = s_at }],
            Observation = new ObservationStatus
            {
                Since = s_at, LastObserved = s_at, WouldReplicas = 14, RunningReplicas = 10, ObservedSeconds = 3600, DifferentSeconds = 600,
                PodSecondsMore = 2400, PodSecondsLess = 30, WouldChanges = 2, WorkloadChanges = 1,
            },
        },
    };

    public static ScaleProposal FullProposal(string @namespace = "shop", string name = "checkout-20261125-1032") => new()
    {
        Metadata = new ObjectMeta { Name = name, Namespace = @namespace, Labels = new Dictionary<string, string> { ["scalecontrol.io/policy"] = "checkout" } },
        Spec = new ScaleProposalSpec
        {
            PolicyName = "checkout",
            Target = new TargetRef { Kind = TargetRef.DeploymentKind, Name = "checkout" },
            FromReplicas = 20,
            ToReplicas = 60,
            AlternativeReplicas = 40,
            Reason = "QPS 48.2k rising",
            Evidence = new DecisionEvidence
            {
                Metrics = [new MetricEvidence { Name = "qps", Value = 48_200, Predicted = 61_000, SlopePerSecond = 1_900, Target = 500, Recommendation = 122, Problem = "none" }],
                CurrentReplicas = 20,
                ReadyReplicas = 19,
                BoundBy = "maxStep",
            },
            RequestedBy = "scalecontrol",
            RequiresTwoPersons = true,
            RequiredApprovals = 2,
            Approvers = ["u1", "u2"],
            Tolerance = 0.1,
            WorkloadResourceVersion = "42",
            ExpiresAt = s_at.AddMinutes(10),
            EscalateAt = s_at.AddMinutes(2),
            Capacity = new ScaleControl.Core.Capacity.CapacityEstimate
            {
                Pods = 40, MilliCpu = 20_000, MemoryBytes = 40L << 30, CostPerHour = 64m, Currency = "¥", Room = ScaleControl.Core.Capacity.RoomVerdict.Short,
                Fitting = 30, Pending = 10, FreeMilliCpu = 15_000, FreeMemoryBytes = 90L << 30, Nodes = 3, NodesNeeded = 1, AlreadyPending = 6, Note = "none", AssessedAt = s_at,
            },
        },
        Status = new ScaleProposalStatus
        {
            Phase = ProposalPhase.Applied,
            Undo = new UndoRecord { Proposal = "checkout-undo", By = "u1", Channel = ApprovalChannel.DingTalk, At = s_at, Replicas = 20 },
            UndoWithdrawn = new UndoWithdrawal
            {
                Cause = UndoWithdrawalCause.NewerChange, At = s_at, Replicas = 80, Proposal = "checkout-next", Action = "pin", By = ["u1"],
                Message = "shop/checkout moved to 80 by a pin by u1 at 10:32:05 UTC",
            },
            Approvals = [new ApprovalRecord { User = "u1", Channel = ApprovalChannel.DingTalk, At = s_at, Replicas = 60,
                Asked = new AskedStep { From = 20, To = 60, Alternative = 40, RequiredApprovals = 2, RequiresTwoPersons = true }, Signature = "c2lnbmF0dXJlLW9mLXRoZS1hcHByb3ZhbA==" }],
            Rejection = new RejectionRecord { User = "u3", Channel = ApprovalChannel.Cli, At = s_at, Reason = "too big", Signature = "c2lnbmVk" },
            Card = new CardReference { OutTrackId = "shop.checkout-20261125-1032", OpenConversationId = "cid-oncall", SentAt = s_at, Error = "none" },
            Escalations = [new EscalationRecord { At = s_at, DingType = DingType.Sms, Receivers = ["u1"], Via = "ding", Message = "sent" }],
            RosterMentions = [new RosterMention { User = "u3", At = s_at }, new RosterMention { User = "u1", At = s_at, Dropped = true }],
            AppliedReplicas = 60,
            AppliedAt = s_at,
            AppliedCapacity = new ScaleControl.Core.Capacity.CapacityEstimate { Pods = 20, MilliCpu = 10_000, MemoryBytes = 20L << 30, CostPerHour = 32m, Currency = "¥", Room = ScaleControl.Core.Capacity.RoomVerdict.Fits },
            Message = "applied 20 → 60",
            SupersededBy = "checkout-next",
            Supersession = new SupersessionRecord { Action = "pin", ToReplicas = 80, By = "u1" },
            ApprovalTally = new ApprovalTally { Counted = 1, Required = 2, NotCounted = [new UncountedApproval { User = "u4", Cause = UncountedCause.NotAnApprover }] },
            AppliedSteps = [new AppliedStep { From = 10, To = 20, At = s_at, Approvals = [new ApprovalRecord { User = "u2", Channel = ApprovalChannel.DingTalkChat, At = s_at, Replicas = 20, Asked = new AskedStep { From = 10, To = 20, RequiredApprovals = 1 }, Signature = "c2ln" }] }],
            History = [new PhaseTransition { From = ProposalPhase.Pending, To = ProposalPhase.Approved, At = s_at, By = "u1", Message = "approved" }],
        },
    };
}
