using FluentValidation.TestHelper;
using ScaleControl.Core.Policies;
using ScaleControl.Core.Policies.Validation;
using static ScaleControl.Core.Tests.TestPolicies;

namespace ScaleControl.Core.Tests.Policies;

public class FollowValidationTests
{
    private readonly ScalePolicyValidator _validator = new();

    private static ScalePolicy Follower(string workload, double ratio = 0.5, string ns = "shop", string target = "checkout-api") => new()
    {
        Metadata = new ObjectMeta { Name = target, Namespace = ns },
        Spec = Auto().Spec with { Target = new TargetRef { Name = target }, Metrics = [], Follow = new FollowSpec { Workload = workload, Ratio = ratio } },
    };

    [Fact]
    public void Validate_FollowWithoutMetrics_HasNoErrors() =>
        _validator.TestValidate(Follower("feed/feed-service")).ShouldNotHaveAnyValidationErrors();

    [Fact]
    public void Validate_FollowAndMetrics_AsksForOne() =>
        _validator.TestValidate(WithSpec(Auto(), s => s with { Follow = new FollowSpec { Workload = "feed/feed-service" } }))
            .ShouldHaveValidationErrorFor("spec.metrics").WithErrorMessage("a policy either follows a workload or sizes from metrics: remove metrics or follow.");

    [Fact]
    public void Validate_NeitherFollowNorMetrics_MentionsFollow() =>
        _validator.TestValidate(WithSpec(Auto(), s => s with { Metrics = [] }))
            .ShouldHaveValidationErrorFor("spec.metrics").WithErrorMessage("metrics must list at least one metric (a PromQL query and a target), or set follow to size from another workload.");

    [Theory]
    [InlineData(0)]
    [InlineData(0.001)]
    [InlineData(101)]
    [InlineData(double.NaN)]
    [InlineData(double.PositiveInfinity)]
    public void Validate_RatioOutOfBounds_ReportsItsPath(double ratio) =>
        _validator.TestValidate(Follower("feed/feed-service", ratio)).ShouldHaveValidationErrorFor("spec.follow.ratio");

    [Theory]
    [InlineData("")]
    [InlineData("feed/Feed_Service")]
    [InlineData("a/b/c")]
    public void Validate_BadWorkloadName_ReportsItsPath(string workload) =>
        _validator.TestValidate(Follower(workload)).ShouldHaveValidationErrorFor("spec.follow.workload");

    [Theory]
    [InlineData("shop/checkout-api")]
    [InlineData("checkout-api")]
    public void Validate_FollowingItsOwnWorkload_IsRefused(string workload) =>
        _validator.TestValidate(Follower(workload)).ShouldHaveValidationErrorFor("spec.follow.workload")
            .WithErrorMessage("a policy cannot follow its own workload (shop/checkout-api); follow another workload or use metrics.");

    [Fact]
    public void CycleWith_ClosingAChain_NamesTheCycle()
    {
        var gateway = WithSpec(Auto(), s => s with { Target = new TargetRef { Name = "gateway" } }) with { Metadata = new ObjectMeta { Name = "gateway", Namespace = "feed" } };
        var api = Follower("feed/gateway", ns: "feed", target: "api");
        var comments = Follower("api", ns: "feed", target: "comments");
        Assert.Null(FollowGraph.CycleWith([gateway, api], comments));

        // gateway now follows comments: gateway → comments → api → gateway.
        var closing = Follower("feed/comments", ns: "feed", target: "gateway");
        Assert.Equal("feed/gateway → feed/comments → feed/api → feed/gateway", FollowGraph.CycleWith([gateway, api, comments], closing));
    }

    [Fact]
    public void LeadersFirst_OrdersEveryLeaderBeforeItsFollowers()
    {
        var comments = Follower("feed/api", ns: "feed", target: "comments");
        var api = Follower("feed/gateway", ns: "feed", target: "api");
        var gateway = WithSpec(Auto(), s => s with { Target = new TargetRef { Name = "gateway" } }) with { Metadata = new ObjectMeta { Name = "gateway", Namespace = "feed" } };

        var ordered = FollowGraph.LeadersFirst([comments, api, gateway]).Select(p => p.Spec.Target.Name).ToList();

        Assert.Equal(["gateway", "api", "comments"], ordered);
    }

    [Fact]
    public void LeadersFirst_WithACycle_KeepsEveryPolicyOnce()
    {
        var a = Follower("feed/b", ns: "feed", target: "a");
        var b = Follower("feed/a", ns: "feed", target: "b");

        Assert.Equal(2, FollowGraph.LeadersFirst([a, b]).Count);
    }

    [Fact]
    public void Yaml_FollowPolicy_RoundTrips()
    {
        const string yaml = """
            apiVersion: scalecontrol.io/v1alpha1
            kind: ScalePolicy
            metadata: { name: feed-comments, namespace: feed }
            spec:
              target: { kind: Deployment, name: feed-comments }
              follow: { workload: feed/feed-service, ratio: 0.5 }
              minReplicas: 2
              maxReplicas: 40
            """;

        var policy = Assert.Single(ScaleControl.Policies.Yaml.PolicyYaml.LoadAll(yaml));

        Assert.Equal(new FollowSpec { Workload = "feed/feed-service", Ratio = 0.5 }, policy.Spec.Follow);
        _validator.TestValidate(policy).ShouldNotHaveAnyValidationErrors();
    }
}
