using Microsoft.Extensions.Time.Testing;
using ScaleControl.Core.Decisions;
using ScaleControl.Core.Policies;
using ScaleControl.Core.Policies.Validation;
using ScaleControl.Core.Signals;

namespace ScaleControl.Core.Tests.Decisions;

/// <summary>The base of <c>--expect 3x</c>: the demand at the event's time on a past day, in pods, never below now.</summary>
public sealed class ExpectedEventBaselineTests
{
    private const string Qps = "sum(rate(http_requests_total[1m]))";
    private const string Orders = "sum(rate(orders_total[1m]))";

    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 12, 4, 14, 0, 0, TimeSpan.Zero));

    private DateTimeOffset Now => _time.GetUtcNow();

    private DateTimeOffset Tonight => new(2026, 12, 4, 20, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Windows_EventTonight_TheEventsWindowYesterdayAndAWeekBefore()
    {
        var windows = ExpectedEventBaseline.Windows(Tonight, 1200, Now);

        Assert.Equal(
            [new BaselineWindow(1, Tonight.AddDays(-1), Tonight.AddDays(-1).AddMinutes(20)), new BaselineWindow(7, Tonight.AddDays(-7), Tonight.AddDays(-7).AddMinutes(20))],
            windows);
        Assert.Equal(TimeSpan.FromMinutes(1), windows[0].Step);
    }

    [Theory]
    [InlineData(2.5, 3, 7)] // three days ahead: the last day that has passed at that time is three days back
    [InlineData(7, 7, 7)] // a week ahead: one window
    [InlineData(10, 10, 14)] // the second opinion is whole weeks back
    [InlineData(-0.01, 1, 7)] // an event already going on: yesterday
    public void Windows_EventDaysAhead_TheMostRecentPassedDayAndWholeWeeks(double daysAhead, int first, int second)
    {
        var at = Now.AddDays(daysAhead);

        var windows = ExpectedEventBaseline.Windows(at, 600, Now);

        Assert.Equal(first == second ? [first] : [first, second], windows.Select(w => w.DaysBefore));
        Assert.All(windows, w => Assert.Equal(at.AddDays(-w.DaysBefore), w.From));
        Assert.All(windows, w => Assert.True(w.From <= Now));
    }

    [Fact]
    public void Windows_EventJustUnderADayAhead_TheWindowEndsNow()
    {
        var at = Now.AddDays(1).AddMinutes(-10);

        var window = ExpectedEventBaseline.Windows(at, 1200, Now)[0];

        Assert.Equal((1, Now.AddMinutes(-10), Now), (window.DaysBefore, window.From, window.To));
    }

    [Fact]
    public void Base_EveningBaselineAboveNow_MultipliesTheForecastAndSaysWhereItCameFrom()
    {
        // 14:00, 12 pods; yesterday 20:00–20:20 the service ran at 1,900–2,000 QPS at 100 per pod: 20 are needed then.
        var windows = ExpectedEventBaseline.Windows(Tonight, 1200, Now);

        var based = ExpectedEventBaseline.Base(Spec(), 12, [Read(windows[0], Qps, 1900, 2000, 1950), Read(windows[1], Qps, 1500)]);

        Assert.Equal(new EventBase(20, 12, 20, "the demand 1 day before, at 2026-12-03 20:00Z; 12 running now"), based);
    }

    [Fact]
    public void Base_LastWeekHigher_TakesTheHigher()
    {
        var windows = ExpectedEventBaseline.Windows(Tonight, 1200, Now);

        var based = ExpectedEventBaseline.Base(Spec(), 12, [Read(windows[0], Qps, 2000), Read(windows[1], Qps, 2450)]);

        Assert.Equal((25, "the demand 7 days before, at 2026-11-27 20:00Z; 12 running now"), (based.Replicas, based.Source));
    }

    [Fact]
    public void Base_ThatDayHadItsOwnSpike_TheTypicalLevelNotTheSpike()
    {
        // Yesterday's push doubled the traffic for 5 of the 20 minutes: "3x" means three times the usual evening, not
        // three times that push (60, not 120 pods).
        var window = ExpectedEventBaseline.Windows(Tonight, 1200, Now)[0];
        double[] minutes = [.. Enumerable.Range(0, 20).Select(m => m is >= 3 and < 8 ? 4000.0 : 2000.0)];

        var based = ExpectedEventBaseline.Base(Spec(), 12, [Read(window, Qps, minutes)]);

        Assert.Equal((20, 20), (based.Replicas, based.Forecast));
    }

    [Fact]
    public void Base_ForecastBelowNow_StaysAtNowAndSaysWhatThePastAsked()
    {
        var windows = ExpectedEventBaseline.Windows(Tonight, 1200, Now);

        var based = ExpectedEventBaseline.Base(Spec(), 12, [Read(windows[0], Qps, 800), Read(windows[1], Qps, 750)]);

        Assert.Equal(new EventBase(12, 12, 8, "12 running now; the demand 1 day before, at 2026-12-03 20:00Z, asked 8"), based);
    }

    [Fact]
    public void Base_SeveralMetrics_HighestPerReplicaOne_AveragesIgnored()
    {
        var spec = Spec() with
        {
            Metrics =
            [
                new MetricSpec { Name = "qps", Query = Qps, Target = 100 },
                new MetricSpec { Name = "orders", Query = Orders, Target = 10 },
                new MetricSpec { Name = "cpu", Query = "avg(cpu)", TargetType = MetricTargetType.Average, Target = 0.6 },
            ],
        };
        var window = ExpectedEventBaseline.Windows(Tonight, 1200, Now)[0];

        var based = ExpectedEventBaseline.Base(spec, 4, [Read(window, Qps, 1000), Read(window, Orders, 170), Read(window, "avg(cpu)", 5000)]);

        Assert.Equal(17, based.Replicas);
    }

    [Fact]
    public void Base_PointsOutsideTheWindowOrNotNumbers_NotCounted_ExactMultipleNotRoundedUp()
    {
        var window = ExpectedEventBaseline.Windows(Tonight, 1200, Now)[0];
        MetricPoint[] points =
        [
            new(window.From.AddMinutes(-1), 9000), new(window.To.AddMinutes(1), 9000), new(window.From, double.NaN),
            new(window.From.AddMinutes(5), 0.1 * 3 * 1000), // 300.00000000000006: 3 pods, not 4
        ];

        var based = ExpectedEventBaseline.Base(Spec(), 1, [new BaselineSeries(window, Qps, points)]);

        Assert.Equal(3, based.Replicas);
    }

    [Fact]
    public void Base_OnlyAverageMetrics_TodaysCountAndWhyNoForecast()
    {
        var spec = Spec() with { Metrics = [new MetricSpec { Name = "cpu", Query = "avg(cpu)", TargetType = MetricTargetType.Average, Target = 0.6 }] };

        var based = ExpectedEventBaseline.Base(spec, 12, []);

        Assert.Equal(new EventBase(12, 12, null, "12 running now; no forecast: the policy's metrics are per-pod averages, and the replica count they were averaged over then is unknown"), based);
    }

    [Fact]
    public void Base_NoDataThatFarBack_TodaysCountAndSaysSo()
    {
        var windows = ExpectedEventBaseline.Windows(Tonight, 1200, Now);

        var based = ExpectedEventBaseline.Base(Spec(), 12, [.. windows.Select(w => new BaselineSeries(w, Qps, []))]);

        Assert.Equal(new EventBase(12, 12, null, "12 running now; no forecast: no data for that time 1 or 7 days before"), based);
    }

    [Fact]
    public void Base_SourceDown_TodaysCountWithTheSourcesProblemOnOneBoundedLine()
    {
        var windows = ExpectedEventBaseline.Windows(Tonight, 1200, Now);
        var problem = "Prometheus unreachable\r\n\u001b[31m" + new string('x', 400);

        var based = ExpectedEventBaseline.Base(Spec(), 0, [.. windows.Select(w => new BaselineSeries(w, Qps, [], problem))]);

        Assert.Equal((1, 1, (int?)null), (based.Replicas, based.RunningNow, based.Forecast)); // a workload at 0 is multiplied from 1
        Assert.StartsWith("1 running now; no forecast: Prometheus unreachable   [31mxxx", based.Source, StringComparison.Ordinal);
        Assert.Equal(ExpectedEventBaseline.MaxSourceLength, based.Source.Length);
        Assert.True(TextLimits.IsPlainText(based.Source));
    }

    [Fact]
    public void Base_OneDayReadTheOtherFailed_TheDayThatAnswered()
    {
        var windows = ExpectedEventBaseline.Windows(Tonight, 1200, Now);

        var based = ExpectedEventBaseline.Base(Spec(), 12, [Read(windows[0], Qps, 2000), new BaselineSeries(windows[1], Qps, [], "out of retention")]);

        Assert.Equal((20, 20), (based.Replicas, based.Forecast));
    }

    [Fact]
    public void LevelWindows_TheHourBeforeNowTodayAndOnEachWindowsDay()
    {
        var windows = ExpectedEventBaseline.Windows(Tonight, 1200, Now);

        var levels = ExpectedEventBaseline.LevelWindows(windows, Now);

        Assert.Equal(
            [new BaselineWindow(0, Now.AddHours(-1), Now, Level: true), new BaselineWindow(1, Now.AddDays(-1).AddHours(-1), Now.AddDays(-1), Level: true), new BaselineWindow(7, Now.AddDays(-7).AddHours(-1), Now.AddDays(-7), Level: true)],
            levels);
    }

    [Fact]
    public void Base_TodayBusierThanThatDay_MovesItsDemandByTheLevel()
    {
        // Yesterday evening 2,000 QPS; yesterday at 13:00–14:00 1,000, today 1,200: the traffic grew 20 %, so tonight
        // is sized from 2,400 (24 pods), not 2,000.
        var windows = ExpectedEventBaseline.Windows(Tonight, 1200, Now);
        var levels = ExpectedEventBaseline.LevelWindows(windows, Now);

        var based = ExpectedEventBaseline.Base(Spec(), 12, [Read(windows[0], Qps, 2000), Read(levels[0], Qps, 1200, 1150, 1250), Read(levels[1], Qps, 1000)]);

        Assert.Equal(new EventBase(24, 12, 24, "the demand 1 day before, at 2026-12-03 20:00Z x1.2 for today's level; 12 running now"), based);
    }

    [Fact]
    public void Base_LastWeekAQuietHoliday_ItsEveningRaisedToTodaysLevel_TheHigherDayCounts()
    {
        // A week ago ran at half of today's level (a holiday): its evening, 1,500, counts as 3,000 and wins over
        // yesterday's 2,000 at yesterday's level (the same as today's).
        var windows = ExpectedEventBaseline.Windows(Tonight, 1200, Now);
        var levels = ExpectedEventBaseline.LevelWindows(windows, Now);

        var based = ExpectedEventBaseline.Base(Spec(), 12,
            [Read(windows[0], Qps, 2000), Read(windows[1], Qps, 1500), Read(levels[0], Qps, 1200), Read(levels[1], Qps, 1200), Read(levels[2], Qps, 600)]);

        Assert.Equal((30, "the demand 7 days before, at 2026-11-27 20:00Z x2 for today's level; 12 running now"), (based.Replicas, based.Source));
    }

    [Theory]
    [InlineData(5000, 1000, 20 * 2)] // five times busier today: held to x2
    [InlineData(100, 1000, 20 / 2)] // a tenth: held to x0.5
    [InlineData(1200, 0, 20)] // no traffic then: no level to compare with
    [InlineData(0, 1000, 20)] // none today (just deployed, or Prometheus lost it): the day read as it was
    [InlineData(double.NaN, 1000, 20)]
    public void Base_LevelHeldToHalfAndDouble_IgnoredWithoutTrafficToCompare(double today, double then, int pods)
    {
        var windows = ExpectedEventBaseline.Windows(Tonight, 1200, Now);
        var levels = ExpectedEventBaseline.LevelWindows(windows, Now);

        var based = ExpectedEventBaseline.Base(Spec(), 1, [Read(windows[0], Qps, 2000), Read(levels[0], Qps, today), Read(levels[1], Qps, then)]);

        Assert.Equal(pods, based.Forecast);
    }

    [Fact]
    public void Base_LevelHourNotRead_TheDayAsItWas()
    {
        var windows = ExpectedEventBaseline.Windows(Tonight, 1200, Now);
        var levels = ExpectedEventBaseline.LevelWindows(windows, Now);

        var based = ExpectedEventBaseline.Base(Spec(), 12, [Read(windows[0], Qps, 2000), Read(levels[0], Qps, 2400), new BaselineSeries(levels[1], Qps, [], "timeout")]);

        Assert.Equal(new EventBase(20, 12, 20, "the demand 1 day before, at 2026-12-03 20:00Z; 12 running now"), based);
    }

    private static ScalePolicySpec Spec() => TestPolicies.Auto(target: 100).Spec;

    /// <summary>The values a minute apart from the window's start.</summary>
    private static BaselineSeries Read(BaselineWindow window, string query, params double[] values) =>
        new(window, query, [.. values.Select((v, i) => new MetricPoint(window.From.AddMinutes(i), v))]);
}
