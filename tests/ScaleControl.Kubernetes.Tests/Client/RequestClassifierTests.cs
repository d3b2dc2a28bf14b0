using ScaleControl.Kubernetes.Client;

namespace ScaleControl.Kubernetes.Tests.Client;

public class RequestClassifierTests
{
    [Theory]
    [InlineData("PUT", "/apis/apps/v1/namespaces/shop/deployments/web/scale", RequestPriority.ScaleWrite)]
    [InlineData("PATCH", "/sandbox/k8s/apis/autoscaling/v2/namespaces/shop/horizontalpodautoscalers/web", RequestPriority.ScaleWrite)]
    [InlineData("PUT", "/apis/coordination.k8s.io/v1/namespaces/scalecontrol-system/leases/scalecontrol-leader", RequestPriority.ScaleWrite)]
    [InlineData("PUT", "/apis/scalecontrol.io/v1alpha1/namespaces/shop/scaleproposals/p1/status", RequestPriority.StatusWrite)]
    [InlineData("POST", "/apis/scalecontrol.io/v1alpha1/namespaces/shop/scaleproposals", RequestPriority.StatusWrite)]
    [InlineData("GET", "/apis/apps/v1/namespaces/shop/deployments/web/scale", RequestPriority.Read)]
    [InlineData("GET", "/apis/scalecontrol.io/v1alpha1/scalepolicies", RequestPriority.Read)]
    [InlineData("GET", "/apis/scalecontrol.io/v1alpha1/namespaces/shop/scalepolicies/checkout", RequestPriority.ScaleWrite)]
    [InlineData("POST", "/api/v1/namespaces/shop/events", RequestPriority.Event)]
    [InlineData("DELETE", "/apis/scalecontrol.io/v1alpha1/namespaces/shop/scaleproposals/p1", RequestPriority.Housekeeping)]
    [InlineData("DELETE", "/apis/scalecontrol.io/v1alpha1/namespaces/shop/scalepolicies/checkout", RequestPriority.StatusWrite)]
    public void Classify_VerbAndPath_GivesPriority(string method, string path, RequestPriority expected) =>
        Assert.Equal(expected, RequestClassifier.Classify(new HttpMethod(method), path));

    [Fact]
    public void Classify_TheEventClaimingACallbackSignature_WaitsNoLongerThanTheApprovalItPrecedes()
    {
        var path = "/api/v1/namespaces/scalecontrol-system/events";

        Assert.Equal(RequestPriority.StatusWrite, RequestClassifier.Classify(HttpMethod.Post, path, "?fieldManager=" + RequestClassifier.CallbackClaimFieldManager));
        Assert.Equal(RequestPriority.Event, RequestClassifier.Classify(HttpMethod.Post, path, "?fieldManager=scalecontrol"));
    }

    [Fact]
    public void Classify_TheUsedApprovalLedger_AtTheScaleWritesPriorityForTheReadItWaitsOn()
    {
        var events = "/api/v1/namespaces/scalecontrol-system/events";

        Assert.Equal(RequestPriority.ScaleWrite, RequestClassifier.Classify(HttpMethod.Get, $"{events}/{RequestClassifier.UsedApprovalEventPrefix}0123abcd"));
        Assert.Equal(RequestPriority.StatusWrite, RequestClassifier.Classify(HttpMethod.Post, events, "?fieldManager=" + RequestClassifier.UsedApprovalFieldManager));
        Assert.Equal(RequestPriority.Event, RequestClassifier.Classify(HttpMethod.Get, $"{events}/checkout-api.1234"));
    }

    [Theory]
    [InlineData("GET", 503, true)]
    [InlineData("PUT", 500, true)]
    [InlineData("POST", 503, false)]
    [InlineData("PATCH", 502, false)]
    [InlineData("POST", 429, true)]
    [InlineData("GET", 409, false)]
    [InlineData("GET", 404, false)]
    public void IsRetryable_MethodAndStatus_OnlyRepeatsSafeRequests(string method, int status, bool expected) =>
        Assert.Equal(expected, ThrottlingHandler.IsRetryable(new HttpMethod(method), (System.Net.HttpStatusCode)status));
}
