using FluentValidation.TestHelper;
using ScaleControl.Core.Policies;
using ScaleControl.Core.Policies.Validation;
using static ScaleControl.Core.Tests.TestPolicies;

namespace ScaleControl.Core.Tests.Policies;

public class ScalePolicyValidatorTests
{
    private readonly ScalePolicyValidator _validator = new();

    private TestValidationResult<ScalePolicy> Validate(Func<ScalePolicySpec, ScalePolicySpec> change) =>
        _validator.TestValidate(WithSpec(Auto(), change));

    [Fact]
    public void Validate_SamplePolicyShape_HasNoErrors() =>
        _validator.TestValidate(Auto()).ShouldNotHaveAnyValidationErrors();

    [Fact]
    public void Validate_ApprovalPolicyWithRoster_HasNoErrors() =>
        _validator.TestValidate(Approval()).ShouldNotHaveAnyValidationErrors();

    [Fact]
    public void Validate_MinAboveMax_ReportsMaxReplicasWithBothNumbers() =>
        Validate(s => s with { MinReplicas = 5, MaxReplicas = 3 })
            .ShouldHaveValidationErrorFor("spec.maxReplicas")
            .WithErrorMessage("maxReplicas (3) must not be less than minReplicas (5).");

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    public void Validate_MinReplicasBelowOne_ReportsMinReplicas(int min) =>
        Validate(s => s with { MinReplicas = min }).ShouldHaveValidationErrorFor("spec.minReplicas");

    [Fact]
    public void Validate_ZeroMaxReplicas_ReportsMaxReplicas() =>
        Validate(s => s with { MinReplicas = 1, MaxReplicas = 0 }).ShouldHaveValidationErrorFor("spec.maxReplicas");

    [Theory]
    [InlineData(10_001)]
    [InlineData(int.MaxValue)]
    public void Validate_MaxReplicasAbovePinsCeiling_ReportsMaxReplicas(int max) =>
        Validate(s => s with { MaxReplicas = max })
            .ShouldHaveValidationErrorFor("spec.maxReplicas")
            .WithErrorMessage($"maxReplicas must be at most 10000 (got {max}), as pins and prepared floors.");

    [Fact]
    public void Validate_MinReplicasAbovePinsCeiling_ReportsMinReplicas() =>
        Validate(s => s with { MinReplicas = 10_001, MaxReplicas = 10_001 })
            .ShouldHaveValidationErrorFor("spec.minReplicas")
            .WithErrorMessage("minReplicas must be at most 10000 (got 10001), as pins and prepared floors.");

    [Fact]
    public void Validate_BoundsAtPinsCeiling_HaveNoErrors() =>
        Validate(s => s with { MinReplicas = 10_000, MaxReplicas = 10_000 }).ShouldNotHaveAnyValidationErrors();

    [Fact]
    public void Validate_PinAboveCeiling_ReportsPinReplicas() =>
        Validate(s => s with { Pin = new PinSpec { Replicas = 10_001, Until = new DateTimeOffset(2027, 1, 1, 0, 0, 0, TimeSpan.Zero), Reason = "x" } })
            .ShouldHaveValidationErrorFor("spec.pin.replicas")
            .WithErrorMessage("pin.replicas must be at most 10000 (got 10001).");

    [Theory]
    [InlineData(-1)]
    [InlineData(101)]
    public void Validate_ChangeBudgetOutOfRange_ReportsChangeBudget(int budget) =>
        Validate(s => s with { Behavior = s.Behavior with { ChangeBudget = budget } })
            .ShouldHaveValidationErrorFor("spec.behavior.changeBudget")
            .WithErrorMessage($"changeBudget must be from 0 (off) to 100 changes per 10 minutes (got {budget}).");

    [Fact]
    public void Validate_NoMetrics_ReportsMetrics() =>
        Validate(s => s with { Metrics = [] }).ShouldHaveValidationErrorFor("spec.metrics");

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    public void Validate_EmptyQuery_ReportsIndexedQueryPath(string query) =>
        Validate(s => s with { Metrics = [s.Metrics[0], s.Metrics[0] with { Name = "qps2", Query = query }] })
            .ShouldHaveValidationErrorFor("spec.metrics[1].query");

    [Theory]
    [InlineData(0)]
    [InlineData(-5)]
    [InlineData(double.NaN)]
    public void Validate_TargetNotPositive_ReportsTarget(double target) =>
        Validate(s => s with { Metrics = [s.Metrics[0] with { Target = target }] })
            .ShouldHaveValidationErrorFor("spec.metrics[0].target");

    [Fact]
    public void Validate_DuplicateMetricNames_ReportsMetrics() =>
        Validate(s => s with { Metrics = [s.Metrics[0], s.Metrics[0]] }).ShouldHaveValidationErrorFor("spec.metrics");

    [Fact]
    public void Validate_UnknownTargetType_ReportsTargetType() =>
        Validate(s => s with { Metrics = [s.Metrics[0] with { TargetType = (MetricTargetType)9 }] })
            .ShouldHaveValidationErrorFor("spec.metrics[0].targetType");

    [Fact]
    public void Validate_UnknownMode_ReportsMode() =>
        Validate(s => s with { Mode = (ScaleMode)7 }).ShouldHaveValidationErrorFor("spec.mode");

    [Fact]
    public void Validate_ObserveMode_HasNoErrors() =>
        Validate(s => s with { Mode = ScaleMode.Observe }).ShouldNotHaveAnyValidationErrors();

    [Fact]
    public void Validate_ObserveBothWays_HasNoErrors() =>
        Validate(s => s with { Mode = ScaleMode.Observe, ScaleDownMode = ScaleMode.Observe }).ShouldNotHaveAnyValidationErrors();

    [Fact]
    public void Validate_ObserveWithAnotherScaleDownMode_ReportsScaleDownMode() =>
        Validate(s => s with { Mode = ScaleMode.Observe, ScaleDownMode = ScaleMode.Auto })
            .ShouldHaveValidationErrorFor("spec.scaleDownMode")
            .WithErrorMessage("scaleDownMode Auto does not go with mode Observe, which observes scale-downs too and acts on none; remove scaleDownMode (or set it to Observe).");

    [Theory]
    [InlineData(ScaleMode.Auto)]
    [InlineData(ScaleMode.Hybrid)]
    public void Validate_ScaleDownObserveWithAnActingMode_ReportsScaleDownMode(ScaleMode mode) =>
        Validate(s => s with { Mode = mode, ScaleDownMode = ScaleMode.Observe, AutoApproveMaxStep = new StepLimit { Pods = 2 } })
            .ShouldHaveValidationErrorFor("spec.scaleDownMode")
            .WithErrorMessage("scaleDownMode Observe needs mode Observe: a policy observes as a whole; set mode: Observe, or scaleDownMode to Auto, Approval or Hybrid.");

    [Fact]
    public void Validate_UnknownScaleDownMode_ReportsScaleDownMode() =>
        Validate(s => s with { ScaleDownMode = (ScaleMode)7 }).ShouldHaveValidationErrorFor("spec.scaleDownMode");

    [Theory]
    [InlineData("CronJob")]
    [InlineData("deployment")]
    [InlineData("")]
    public void Validate_UnknownTargetKind_ReportsTargetKind(string kind) =>
        Validate(s => s with { Target = s.Target with { Kind = kind } })
            .ShouldHaveValidationErrorFor("spec.target.kind");

    [Fact]
    public void Validate_EmptyTargetName_ReportsTargetName() =>
        Validate(s => s with { Target = s.Target with { Name = "" } }).ShouldHaveValidationErrorFor("spec.target.name");

    [Theory]
    [InlineData(-0.1)]
    [InlineData(1.0)]
    public void Validate_ToleranceOutOfRange_ReportsTolerance(double tolerance) =>
        Validate(s => s with { Tolerance = tolerance }).ShouldHaveValidationErrorFor("spec.tolerance");

    [Fact]
    public void Validate_ApprovalModeWithoutApprovalBlock_ReportsApproval() =>
        Validate(s => s with { Mode = ScaleMode.Approval }).ShouldHaveValidationErrorFor("spec.approval");

    [Fact]
    public void Validate_ApprovalModeWithoutApprovers_ReportsApprovers() =>
        _validator.TestValidate(WithSpec(Approval(), s => s with { Approval = s.Approval! with { Approvers = [] } }))
            .ShouldHaveValidationErrorFor("spec.approval.approvers");

    [Fact]
    public void Validate_HybridWithoutGroup_ReportsOpenConversationId() =>
        _validator.TestValidate(WithSpec(Approval(), s => s with
        {
            Mode = ScaleMode.Hybrid,
            AutoApproveMaxStep = new StepLimit { Percent = 50 },
            Approval = s.Approval! with { OpenConversationId = "" },
        })).ShouldHaveValidationErrorFor("spec.approval.openConversationId");

    [Fact]
    public void Validate_ScaleDownApprovalWithoutApprovers_ReportsApproval() =>
        Validate(s => s with { ScaleDownMode = ScaleMode.Approval }).ShouldHaveValidationErrorFor("spec.approval");

    [Fact]
    public void Validate_HybridWithoutAutoApproveStep_ReportsAutoApproveMaxStep() =>
        _validator.TestValidate(WithSpec(Approval(), s => s with { Mode = ScaleMode.Hybrid }))
            .ShouldHaveValidationErrorFor("spec.autoApproveMaxStep");

    [Fact]
    public void Validate_RequiredApprovalsAboveRoster_ReportsRequiredApprovals() =>
        _validator.TestValidate(WithSpec(Approval("alice", "bob"), s => s with { Approval = s.Approval! with { RequiredApprovals = 3 } }))
            .ShouldHaveValidationErrorFor("spec.approval.requiredApprovals")
            .WithErrorMessage("requiredApprovals (3) is more than the 2 listed approvers: no proposal could ever be approved.");

    [Theory]
    [InlineData("zh\u0000ang")]
    [InlineData("zhang san")]
    [InlineData("zhang\nlisi")]
    [InlineData("zhang\u202Esan")]
    public void Validate_ApproverThatIsNoUserId_ReportsApprovers(string approver) =>
        _validator.TestValidate(Approval("alice", approver)).ShouldHaveValidationErrorFor("spec.approval.approvers[1]")
            .WithErrorMessage("approvers must be DingTalk userIds: no spaces or control characters (they are matched against who tapped, and shown on cards).");

    [Fact]
    public void Validate_EscalationReceiverThatIsNoUserId_ReportsReceivers() =>
        _validator.TestValidate(WithSpec(Approval(), s => s with
        {
            Approval = s.Approval! with { Escalation = new EscalationSpec { AfterSeconds = 60, Receivers = ["ops\u0007"] } },
        })).ShouldHaveValidationErrorFor("spec.approval.escalation.receivers[0]");

    [Theory]
    [InlineData(604_801)]
    [InlineData(1_000_000_000)]
    public void Validate_ExpiryOverAWeek_ReportsExpirySeconds(int expiry) =>
        _validator.TestValidate(WithSpec(Approval(), s => s with { Approval = s.Approval! with { ExpirySeconds = expiry } }))
            .ShouldHaveValidationErrorFor("spec.approval.expirySeconds");

    [Fact]
    public void Validate_DuplicateApprovers_ReportsApprovers() =>
        _validator.TestValidate(Approval("alice", "alice")).ShouldHaveValidationErrorFor("spec.approval.approvers");

    [Fact]
    public void Validate_TwoPersonRuleWithOneApprover_ReportsApprovers() =>
        _validator.TestValidate(WithSpec(Approval("alice"), s => s with
        {
            Approval = s.Approval! with { TwoPersonRule = new TwoPersonRule { AboveReplicas = 50 } },
        })).ShouldHaveValidationErrorFor("spec.approval.approvers");

    [Theory]
    [InlineData(0)]
    [InlineData(-60)]
    public void Validate_ExpiryNotPositive_ReportsExpirySeconds(int expiry) =>
        _validator.TestValidate(WithSpec(Approval(), s => s with { Approval = s.Approval! with { ExpirySeconds = expiry } }))
            .ShouldHaveValidationErrorFor("spec.approval.expirySeconds");

    [Theory]
    [InlineData(-1)]
    [InlineData(86_401)]
    public void Validate_ReturnToNormalOutOfRange_ReportsTheField(int seconds) =>
        _validator.TestValidate(WithSpec(Approval(), s => s with { Approval = s.Approval! with { ReturnToNormalAfterSeconds = seconds } }))
            .ShouldHaveValidationErrorFor("spec.approval.returnToNormalAfterSeconds")
            .WithErrorMessage($"returnToNormalAfterSeconds must be from 0 (off) to 86400 (one day) (got {seconds}).");

    [Theory]
    [InlineData(0)]
    [InlineData(900)]
    public void Validate_ReturnToNormalOffOrSet_Valid(int seconds) =>
        _validator.TestValidate(WithSpec(Approval(), s => s with { Approval = s.Approval! with { ReturnToNormalAfterSeconds = seconds } }))
            .ShouldNotHaveValidationErrorFor("spec.approval.returnToNormalAfterSeconds");

    [Fact]
    public void Validate_EscalationAfterExpiry_ReportsEscalationAfterSeconds() =>
        _validator.TestValidate(WithSpec(Approval(), s => s with
        {
            Approval = s.Approval! with { ExpirySeconds = 300, Escalation = new EscalationSpec { AfterSeconds = 300 } },
        })).ShouldHaveValidationErrorFor("spec.approval.escalation.afterSeconds");

    [Fact]
    public void Validate_ZeroPodStep_ReportsMaxStepPods() =>
        Validate(s => s with
        {
            Behavior = s.Behavior with { ScaleUp = s.Behavior.ScaleUp with { MaxStep = new StepLimit { Pods = 0 } } },
        }).ShouldHaveValidationErrorFor("spec.behavior.scaleUp.maxStep.pods");

    [Fact]
    public void Validate_ZeroPercentStep_ReportsMaxStepPercent() =>
        Validate(s => s with
        {
            Behavior = s.Behavior with { ScaleDown = s.Behavior.ScaleDown with { MaxStep = new StepLimit { Percent = 0 } } },
        }).ShouldHaveValidationErrorFor("spec.behavior.scaleDown.maxStep.percent");

    [Fact]
    public void Validate_DirectionToleranceOfOne_ReportsTolerance() =>
        Validate(s => s with
        {
            Behavior = s.Behavior with { ScaleUp = s.Behavior.ScaleUp with { Tolerance = 1 } },
        }).ShouldHaveValidationErrorFor("spec.behavior.scaleUp.tolerance");

    [Fact]
    public void Validate_NegativeCooldown_ReportsCooldown() =>
        Validate(s => s with
        {
            Behavior = s.Behavior with { ScaleDown = s.Behavior.ScaleDown with { CooldownSeconds = -1 } },
        }).ShouldHaveValidationErrorFor("spec.behavior.scaleDown.cooldownSeconds");

    [Fact]
    public void Validate_ZeroPeriod_ReportsPeriodSeconds() =>
        Validate(s => s with
        {
            Behavior = s.Behavior with { ScaleUp = s.Behavior.ScaleUp with { PeriodSeconds = 0 } },
        }).ShouldHaveValidationErrorFor("spec.behavior.scaleUp.periodSeconds");

    [Fact]
    public void Validate_StabilizationAboveHpaLimit_ReportsWindow() =>
        Validate(s => s with
        {
            Behavior = s.Behavior with { ScaleDown = s.Behavior.ScaleDown with { StabilizationWindowSeconds = 3601 } },
        }).ShouldHaveValidationErrorFor("spec.behavior.scaleDown.stabilizationWindowSeconds");

    [Fact]
    public void Validate_EvaluationIntervalBelowOneSecond_ReportsInterval() =>
        Validate(s => s with { EvaluationIntervalSeconds = 0 }).ShouldHaveValidationErrorFor("spec.evaluationIntervalSeconds");

    [Fact]
    public void Validate_ZeroLookAhead_ReportsLookAhead() =>
        Validate(s => s with { Prediction = s.Prediction with { LookAheadSeconds = 0 } })
            .ShouldHaveValidationErrorFor("spec.prediction.lookAheadSeconds");

    [Fact]
    public void Validate_GrowthFactorBelowOne_ReportsMaxGrowthFactor() =>
        Validate(s => s with { Prediction = s.Prediction with { MaxGrowthFactor = 0.5 } })
            .ShouldHaveValidationErrorFor("spec.prediction.maxGrowthFactor");

    [Theory]
    [InlineData(100.01)]
    [InlineData(1e300)]
    public void Validate_GrowthFactorAboveOneHundred_ReportsMaxGrowthFactorWithItsBound(double factor) =>
        Validate(s => s with { Prediction = s.Prediction with { MaxGrowthFactor = factor } })
            .ShouldHaveValidationErrorFor("spec.prediction.maxGrowthFactor")
            .WithErrorMessage($"maxGrowthFactor must be from 1 to 100 (got {factor}); it bounds predicted / current value.");

    [Fact]
    public void Validate_GrowthFactorOneHundred_HasNoErrors() =>
        Validate(s => s with { Prediction = s.Prediction with { MaxGrowthFactor = 100 } }).ShouldNotHaveAnyValidationErrors();

    [Fact]
    public void Validate_CooldownLongerThanADay_ReportsCooldownSeconds() =>
        Validate(s => s with { Behavior = s.Behavior with { ScaleDown = s.Behavior.ScaleDown with { CooldownSeconds = 86_401 } } })
            .ShouldHaveValidationErrorFor("spec.behavior.scaleDown.cooldownSeconds")
            .WithErrorMessage("cooldownSeconds must be from 0 to 86400 (one day) (got 86401).");

    [Fact]
    public void Validate_StepLimitsBeyondAnyPolicy_ReportPodsAndPercent()
    {
        var result = Validate(s => s with
        {
            Behavior = s.Behavior with
            {
                ScaleUp = s.Behavior.ScaleUp with { MaxStep = new StepLimit { Pods = 10_001 } },
                ScaleDown = s.Behavior.ScaleDown with { MaxStep = new StepLimit { Percent = 1e300 } },
            },
        });

        result.ShouldHaveValidationErrorFor("spec.behavior.scaleUp.maxStep.pods");
        result.ShouldHaveValidationErrorFor("spec.behavior.scaleDown.maxStep.percent")
            .WithErrorMessage("percent must be at most 10000 (100x in one period) (got 1E+300); leave maxStep out for no limit.");
    }

    [Fact]
    public void Validate_TwoPersonThresholdsBeyondAnyPolicy_ReportBoth()
    {
        var result = _validator.TestValidate(WithSpec(Approval("alice", "bob"), s => s with
        {
            Approval = s.Approval! with { TwoPersonRule = new TwoPersonRule { AboveReplicas = 10_001, AboveStepPercent = 1e300 } },
        }));

        result.ShouldHaveValidationErrorFor("spec.approval.twoPersonRule.aboveReplicas");
        result.ShouldHaveValidationErrorFor("spec.approval.twoPersonRule.aboveStepPercent");
    }

    [Fact]
    public void Validate_CronScheduleLongerThanAWeek_ReportsDurationSeconds() =>
        Validate(s => s with { Schedules = [new ScheduleSpec { Name = "peak", Cron = "0 20 * * *", DurationSeconds = 604_801, MinReplicas = 5 }] })
            .ShouldHaveValidationErrorFor("spec.schedules[0].durationSeconds");

    [Theory]
    [InlineData("61 * * * *")]
    [InlineData("every evening")]
    public void Validate_BadCron_ReportsCron(string cron) =>
        Validate(s => s with { Schedules = [new ScheduleSpec { Name = "peak", Cron = cron, DurationSeconds = 60, MinReplicas = 5 }] })
            .ShouldHaveValidationErrorFor("spec.schedules[0].cron");

    [Fact]
    public void Validate_SixFieldCronWithZone_HasNoErrors() =>
        Validate(s => s with
        {
            Schedules = [new ScheduleSpec { Name = "peak", Cron = "0 50 19 * * *", TimeZone = "Asia/Shanghai", DurationSeconds = 60, MinReplicas = 5 }],
        }).ShouldNotHaveAnyValidationErrors();

    [Fact]
    public void Validate_UnknownTimeZone_ReportsTimeZone() =>
        Validate(s => s with
        {
            Schedules = [new ScheduleSpec { Name = "peak", Cron = "0 20 * * *", TimeZone = "Mars/Olympus", DurationSeconds = 60, MinReplicas = 5 }],
        }).ShouldHaveValidationErrorFor("spec.schedules[0].timeZone");

    [Fact]
    public void Validate_CronWithoutDuration_ReportsDuration() =>
        Validate(s => s with { Schedules = [new ScheduleSpec { Name = "peak", Cron = "0 20 * * *", MinReplicas = 5 }] })
            .ShouldHaveValidationErrorFor("spec.schedules[0].durationSeconds");

    [Fact]
    public void Validate_WindowEndBeforeStart_ReportsEnd()
    {
        var start = new DateTimeOffset(2027, 2, 5, 19, 50, 0, TimeSpan.FromHours(8));
        Validate(s => s with { Schedules = [new ScheduleSpec { Name = "gala", Start = start, End = start.AddHours(-1), MinReplicas = 5 }] })
            .ShouldHaveValidationErrorFor("spec.schedules[0].end");
    }

    [Fact]
    public void Validate_ScheduleWithBothCronAndDates_ReportsCron()
    {
        var start = new DateTimeOffset(2027, 2, 5, 19, 50, 0, TimeSpan.Zero);
        Validate(s => s with
        {
            Schedules = [new ScheduleSpec { Name = "gala", Cron = "0 20 * * *", DurationSeconds = 60, Start = start, End = start.AddHours(1), MinReplicas = 5 }],
        }).ShouldHaveValidationErrorFor("spec.schedules[0].cron");
    }

    [Theory]
    [InlineData("2026-13-01")]
    [InlineData("2026-02-30")]
    [InlineData("1 Oct 2026")]
    [InlineData("2026-10-01T00:00:00Z")]
    [InlineData("")]
    public void Validate_ScheduleExcludeDateNotADay_ReportsTheEntry(string date) =>
        Validate(s => s with { Schedules = [new ScheduleSpec { Name = "peak", Cron = "0 20 * * *", DurationSeconds = 60, MinReplicas = 5, ExcludeDates = ["2026-10-01", date] }] })
            .ShouldHaveValidationErrorFor("spec.schedules[0].excludeDates[1]");

    [Fact]
    public void Validate_ScheduleExcludeDates_ValidOnCronBoundedAndNotOnOneShot()
    {
        var start = new DateTimeOffset(2026, 12, 4, 20, 0, 0, TimeSpan.Zero);
        Validate(s => s with { Schedules = [new ScheduleSpec { Name = "peak", Cron = "0 20 * * *", DurationSeconds = 60, MinReplicas = 5, ExcludeDates = ["2026-10-01", "2027-02-17"] }] })
            .ShouldNotHaveAnyValidationErrors();
        Validate(s => s with { Schedules = [new ScheduleSpec { Name = "gala", Start = start, End = start.AddHours(1), MinReplicas = 5, ExcludeDates = ["2026-10-01"] }] })
            .ShouldHaveValidationErrorFor("spec.schedules[0].excludeDates");
        Validate(s => s with { Schedules = [new ScheduleSpec { Name = "peak", Cron = "0 20 * * *", DurationSeconds = 60, MinReplicas = 5, ExcludeDates = [.. Enumerable.Repeat("2026-10-01", ScheduleSpec.MaxExcludeDates + 1)] }] })
            .ShouldHaveValidationErrorFor("spec.schedules[0].excludeDates");
    }

    [Fact]
    public void Validate_ScheduleFloorAboveMax_ReportsScheduleMinReplicas() =>
        Validate(s => s with { Schedules = [new ScheduleSpec { Name = "peak", Cron = "0 20 * * *", DurationSeconds = 60, MinReplicas = 500 }] })
            .ShouldHaveValidationErrorFor("spec.schedules[0].minReplicas");

    [Fact]
    public void Validate_FreezeWithoutReasonOrExpiry_ReportsBoth()
    {
        var result = Validate(s => s with { Freeze = new FreezeSpec() });
        result.ShouldHaveValidationErrorFor("spec.freeze.until");
        result.ShouldHaveValidationErrorFor("spec.freeze.reason");
    }

    [Fact]
    public void Validate_PinOfZero_ReportsPinReplicas() =>
        Validate(s => s with { Pin = new PinSpec { Replicas = 0, Until = new DateTimeOffset(2027, 1, 1, 0, 0, 0, TimeSpan.Zero), Reason = "x" } })
            .ShouldHaveValidationErrorFor("spec.pin.replicas");

    [Fact]
    public void Validate_WrongApiVersionAndKind_ReportsBoth()
    {
        var result = _validator.TestValidate(Auto() with { ApiVersion = "v1", Kind = "HorizontalPodAutoscaler" });
        result.ShouldHaveValidationErrorFor("apiVersion");
        result.ShouldHaveValidationErrorFor("kind");
    }

    [Theory]
    [InlineData("Checkout_API")]
    [InlineData("")]
    public void Validate_BadMetadataName_ReportsMetadataName(string name) =>
        _validator.TestValidate(Auto() with { Metadata = new ObjectMeta { Name = name, Namespace = "shop" } })
            .ShouldHaveValidationErrorFor("metadata.name");

    // Live: PUT with labels {"Bad Key!":"x y"} passed validation, the API server refused the write (422) and the caller
    // got a 500. The API server's rules, checked before any write.
    [Theory]
    [InlineData("Bad Key!", "x", "metadata.labels[Bad Key!]")]
    [InlineData("app", "x y", "metadata.labels[app]")]
    [InlineData("app", null, "metadata.labels[app]")]
    [InlineData("app", "a-value-of-sixty-four-characters-is-one-more-than-a-label-holds1", "metadata.labels[app]")]
    [InlineData("-app", "x", "metadata.labels[-app]")]
    [InlineData("Example.com/app", "x", "metadata.labels[Example.com/app]")]
    public void Validate_LabelTheApiServerRefuses_ReportsItsPath(string key, string? value, string path) =>
        _validator.TestValidate(Auto() with { Metadata = new ObjectMeta { Name = "checkout-api", Namespace = "shop", Labels = new Dictionary<string, string> { [key] = value! } } })
            .ShouldHaveValidationErrorFor(path);

    [Fact]
    public void Validate_LabelsAndAnnotationsAsKubernetesTakesThem_HaveNoErrors() =>
        _validator.TestValidate(Auto() with
        {
            Metadata = new ObjectMeta
            {
                Name = "checkout-api",
                Namespace = "shop",
                Labels = new Dictionary<string, string> { ["app.kubernetes.io/part-of"] = "scalecontrol-sandbox", ["tier"] = "", ["Team_1"] = "A.b-c_9" },
                Annotations = new Dictionary<string, string> { ["confirm.chat.scalecontrol.io/K7Q2AB"] = "{\"any\": \"text, spaces\"}" },
            },
        }).ShouldNotHaveAnyValidationErrors();

    [Fact]
    public void Validate_AnnotationsOverTheApiServersLimit_ReportsAnnotations() =>
        _validator.TestValidate(Auto() with
        {
            Metadata = new ObjectMeta { Name = "checkout-api", Namespace = "shop", Annotations = new Dictionary<string, string> { ["note"] = new string('x', 256 * 1024) } },
        }).ShouldHaveValidationErrorFor("metadata.annotations");
}
