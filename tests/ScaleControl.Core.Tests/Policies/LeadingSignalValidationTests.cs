using FluentValidation.TestHelper;
using ScaleControl.Core.Policies;
using ScaleControl.Core.Policies.Validation;
using static ScaleControl.Core.Tests.TestPolicies;

namespace ScaleControl.Core.Tests.Policies;

public class LeadingSignalValidationTests
{
    private static readonly LeadingSignalSpec s_push = new() { Name = "push", Query = "sum(rate(push_sent_total[1m]))", RequestsPerUnit = 0.05 };

    private static readonly ExpectedEventSpec s_event = new()
    {
        Name = "push-2000",
        At = new DateTimeOffset(2026, 12, 4, 20, 0, 0, TimeSpan.Zero),
        DurationSeconds = 1200,
        LeadSeconds = 120,
        Replicas = 30,
        Reason = "push to 30M users",
    };

    private readonly ScalePolicyValidator _validator = new();

    private TestValidationResult<ScalePolicy> Validate(Func<ScalePolicySpec, ScalePolicySpec> change) =>
        _validator.TestValidate(WithSpec(Auto(), change));

    [Fact]
    public void Validate_SignalAndEvent_HaveNoErrors() =>
        Validate(s => s with { LeadingSignal = s_push with { Metric = "qps" }, ExpectedEvents = [s_event] }).ShouldNotHaveAnyValidationErrors();

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    [InlineData(double.PositiveInfinity)]
    public void Validate_RequestsPerUnitNotPositive_ReportsItsPath(double rpu) =>
        Validate(s => s with { LeadingSignal = s_push with { RequestsPerUnit = rpu } })
            .ShouldHaveValidationErrorFor("spec.leadingSignal.requestsPerUnit");

    [Fact]
    public void Validate_SignalIntoUnknownMetric_NamesThePolicysMetrics() =>
        Validate(s => s with { LeadingSignal = s_push with { Metric = "cpu" } })
            .ShouldHaveValidationErrorFor("spec.leadingSignal.metric")
            .WithErrorMessage("leadingSignal.metric 'cpu' must name one of the policy's PerReplica metrics (qps).");

    [Fact]
    public void Validate_SignalWithOnlyAverageMetrics_ReportsMetric() =>
        Validate(s => s with { Metrics = [s.Metrics[0] with { TargetType = MetricTargetType.Average }], LeadingSignal = s_push })
            .ShouldHaveValidationErrorFor("spec.leadingSignal.metric");

    [Fact]
    public void Validate_SignalBadFields_ReportsEachPath()
    {
        var result = Validate(s => s with { LeadingSignal = s_push with { Name = "Push!", Query = " ", LeadSeconds = -1, HoldSeconds = 100_000, Headroom = 2 } });

        result.ShouldHaveValidationErrorFor("spec.leadingSignal.name");
        result.ShouldHaveValidationErrorFor("spec.leadingSignal.query");
        result.ShouldHaveValidationErrorFor("spec.leadingSignal.leadSeconds");
        result.ShouldHaveValidationErrorFor("spec.leadingSignal.holdSeconds");
        result.ShouldHaveValidationErrorFor("spec.leadingSignal.headroom");
    }

    [Fact]
    public void Validate_EventAboveTheReplicaLimitOrWithoutReason_ReportsIndexedPaths()
    {
        var result = Validate(s => s with { ExpectedEvents = [s_event, s_event with { Name = "other", Replicas = 10_001, Reason = "", DurationSeconds = 0 }] });

        result.ShouldHaveValidationErrorFor("spec.expectedEvents[1].replicas");
        result.ShouldHaveValidationErrorFor("spec.expectedEvents[1].reason");
        result.ShouldHaveValidationErrorFor("spec.expectedEvents[1].durationSeconds");
        result.ShouldNotHaveValidationErrorFor("spec.expectedEvents[0].replicas");
    }

    [Fact]
    public void Validate_EventAboveThePolicysMaxReplicas_IsValid_TheFloorIsCappedWhenItCounts()
    {
        // maxReplicas lowered below an operator's event (in a storm, or one that ended days ago): not a reason to refuse
        // the edit, nor to stop the loop on the policy.
        var result = Validate(s => s with { MaxReplicas = 10, ExpectedEvents = [s_event] }); // the event asks 30

        result.ShouldNotHaveAnyValidationErrors();
    }

    [Fact]
    public void Validate_EventBaseSourceTooLongOrWithEscapes_ReportsItsPath()
    {
        // kubectl writes behind the API's back, and describe and the group show the source.
        var sized = s_event with { Multiplier = 3, BaseReplicas = 10, BaseSource = "10 running now" };
        var result = Validate(s => s with
        {
            ExpectedEvents = [sized, sized with { Name = "long", BaseSource = new string('x', 301) }, sized with { Name = "esc", BaseSource = "\u001b[31mred" }],
        });

        result.ShouldNotHaveValidationErrorFor("spec.expectedEvents[0].baseSource");
        result.ShouldHaveValidationErrorFor("spec.expectedEvents[1].baseSource");
        result.ShouldHaveValidationErrorFor("spec.expectedEvents[2].baseSource");
    }

    [Fact]
    public void Validate_TooManyOrDuplicateEvents_ReportsTheList()
    {
        Validate(s => s with { ExpectedEvents = [s_event, s_event] }).ShouldHaveValidationErrorFor("spec.expectedEvents");
        Validate(s => s with { ExpectedEvents = [.. Enumerable.Range(0, 21).Select(i => s_event with { Name = $"e{i}" })] })
            .ShouldHaveValidationErrorFor("spec.expectedEvents");
    }
}
