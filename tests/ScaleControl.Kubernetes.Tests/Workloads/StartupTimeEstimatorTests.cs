using k8s;
using k8s.Models;
using Microsoft.Extensions.Time.Testing;
using ScaleControl.Kubernetes.Workloads;

namespace ScaleControl.Kubernetes.Tests.Workloads;

public class StartupTimeEstimatorTests
{
    [Fact]
    public void Estimate_Annotation_WinsOverObservation()
    {
        var estimator = new StartupTimeEstimator(new FakeTimeProvider());
        var meta = new V1ObjectMeta { Annotations = new Dictionary<string, string> { [StartupTimeEstimator.Annotation] = "42.5" } };

        Assert.Equal(TimeSpan.FromSeconds(42.5), estimator.Estimate("shop/web", meta, null, null));
    }

    [Fact]
    public void Estimate_ObservedReadinessLag_SmoothsOverScaleUps()
    {
        var time = new FakeTimeProvider();
        var estimator = new StartupTimeEstimator(time);
        estimator.Observe(WatchEventType.Added, "shop/web", 2, 2);

        estimator.Observe(WatchEventType.Modified, "shop/web", 4, 2);
        time.Advance(TimeSpan.FromSeconds(30));
        estimator.Observe(WatchEventType.Modified, "shop/web", 4, 3);
        time.Advance(TimeSpan.FromSeconds(10));
        estimator.Observe(WatchEventType.Modified, "shop/web", 4, 4);
        Assert.Equal(TimeSpan.FromSeconds(40), estimator.Estimate("shop/web", new V1ObjectMeta(), null, null));

        estimator.Observe(WatchEventType.Modified, "shop/web", 6, 4);
        time.Advance(TimeSpan.FromSeconds(20));
        estimator.Observe(WatchEventType.Modified, "shop/web", 6, 6);
        Assert.Equal(TimeSpan.FromSeconds(30), estimator.Estimate("shop/web", new V1ObjectMeta(), null, null));
    }

    [Fact]
    public void Estimate_NoObservation_UsesReadinessProbeDelayAndMinReadySeconds()
    {
        var estimator = new StartupTimeEstimator(new FakeTimeProvider());
        var template = new V1PodTemplateSpec
        {
            Spec = new V1PodSpec { Containers = [new V1Container { Name = "app", ReadinessProbe = new V1Probe { InitialDelaySeconds = 15 } }] },
        };

        Assert.Equal(TimeSpan.FromSeconds(20), estimator.Estimate("shop/web", new V1ObjectMeta(), template, 5));
        Assert.Null(estimator.Estimate("shop/other", new V1ObjectMeta(), null, null));
    }
}
