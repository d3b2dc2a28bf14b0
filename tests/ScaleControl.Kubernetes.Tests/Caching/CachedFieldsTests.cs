using k8s;
using k8s.Models;
using ScaleControl.Kubernetes.Caching;

namespace ScaleControl.Kubernetes.Tests.Caching;

public class CachedFieldsTests
{
    // A Deployment as a real cluster serves it: managedFields, kubectl's last-applied annotation, a full pod spec.
    private const string ServedDeployment = """
        {
          "apiVersion": "apps/v1", "kind": "Deployment",
          "metadata": {
            "name": "checkout-api", "namespace": "shop", "uid": "6f1c2a9e-1111-2222-3333-444455556666",
            "resourceVersion": "81234", "generation": 7, "labels": { "app": "checkout-api", "team": "payments" },
            "annotations": {
              "deployment.kubernetes.io/revision": "12",
              "kubectl.kubernetes.io/last-applied-configuration": "{\"apiVersion\":\"apps/v1\",\"kind\":\"Deployment\",\"metadata\":{\"name\":\"checkout-api\"},\"spec\":{\"replicas\":4,\"template\":{\"spec\":{\"containers\":[{\"name\":\"api\",\"image\":\"registry.example.com/checkout-api:1.42.0\"}]}}}}",
              "scalecontrol.io/startup-seconds": "45",
              "scalecontrol.io/original-min-replicas": "3"
            },
            "managedFields": [
              { "manager": "kubectl-client-side-apply", "operation": "Update", "apiVersion": "apps/v1", "fieldsType": "FieldsV1",
                "fieldsV1": { "f:metadata": { "f:labels": { ".": {}, "f:app": {} } }, "f:spec": { "f:template": { "f:spec": { "f:containers": { "k:{\"name\":\"api\"}": { "f:image": {}, "f:env": {} } } } } } } },
              { "manager": "kube-controller-manager", "operation": "Update", "apiVersion": "apps/v1", "subresource": "status", "fieldsType": "FieldsV1",
                "fieldsV1": { "f:status": { "f:readyReplicas": {}, "f:replicas": {} } } }
            ]
          },
          "spec": {
            "replicas": 6, "minReadySeconds": 10,
            "selector": { "matchLabels": { "app": "checkout-api" } },
            "template": {
              "metadata": { "labels": { "app": "checkout-api" } },
              "spec": {
                "containers": [
                  { "name": "api", "image": "registry.example.com/checkout-api:1.42.0",
                    "env": [ { "name": "DB_HOST", "value": "pg.shop" }, { "name": "CACHE", "value": "redis.shop:6379" } ],
                    "resources": { "requests": { "cpu": "500m", "memory": "512Mi" } },
                    "readinessProbe": { "httpGet": { "path": "/ready", "port": 8080 }, "initialDelaySeconds": 20, "periodSeconds": 5 } },
                  { "name": "envoy", "image": "envoyproxy/envoy:v1.30", "readinessProbe": { "initialDelaySeconds": 3 } }
                ]
              }
            }
          },
          "status": { "replicas": 6, "readyReplicas": 5, "updatedReplicas": 6, "availableReplicas": 5, "observedGeneration": 7,
            "conditions": [ { "type": "Available", "status": "True", "reason": "MinimumReplicasAvailable" } ] }
        }
        """;

    [Fact]
    public void Keep_Deployment_KeepsWhatScaleControlReads()
    {
        var kept = CachedFields.Keep(KubernetesJson.Deserialize<V1Deployment>(ServedDeployment));

        Assert.Equal(("apps/v1", "Deployment"), (kept.ApiVersion, kept.Kind));
        Assert.Equal(("checkout-api", "shop", "6f1c2a9e-1111-2222-3333-444455556666", "81234", 7L),
            (kept.Metadata.Name, kept.Metadata.NamespaceProperty, kept.Metadata.Uid, kept.Metadata.ResourceVersion, kept.Metadata.Generation));
        Assert.Equal(new Dictionary<string, string> { ["scalecontrol.io/startup-seconds"] = "45", ["scalecontrol.io/original-min-replicas"] = "3" }, kept.Metadata.Annotations);
        Assert.Equal((6, 10, 5, 6), (kept.Spec.Replicas, kept.Spec.MinReadySeconds, kept.Status.ReadyReplicas, kept.Status.Replicas));
        Assert.Equal("app=checkout-api", ScaleControl.Kubernetes.Workloads.LabelSelectorQuery.Of(kept.Spec.Selector)); // to list its pods when some are not ready
        Assert.Equal(20, Assert.Single(kept.Spec.Template.Spec.Containers).ReadinessProbe.InitialDelaySeconds);
        Assert.Equal(new ScaleControl.Core.Capacity.PodResources(500, 512L << 20), ScaleControl.Kubernetes.Capacity.PodSpecRequests.Of(kept.Spec.Template.Spec));
    }

    [Fact]
    public void Keep_PodRequests_FoldsContainersInitContainersAndOverheadIntoOne()
    {
        var spec = new V1PodSpec
        {
            Containers =
            [
                new V1Container { Name = "api", Resources = new V1ResourceRequirements { Requests = new Dictionary<string, ResourceQuantity> { ["cpu"] = new("250m"), ["memory"] = new("256Mi") } } },
                new V1Container { Name = "sidecar", Resources = new V1ResourceRequirements { Requests = new Dictionary<string, ResourceQuantity> { ["cpu"] = new("100m"), ["nvidia.com/gpu"] = new("1") } } },
            ],
            InitContainers = [new V1Container { Name = "migrate", Resources = new V1ResourceRequirements { Requests = new Dictionary<string, ResourceQuantity> { ["cpu"] = new("1"), ["memory"] = new("64Mi") } } }],
            Overhead = new Dictionary<string, ResourceQuantity> { ["cpu"] = new("10m") },
        };

        var kept = CachedFields.Keep(new V1Deployment { Metadata = new V1ObjectMeta { Name = "d" }, Spec = new V1DeploymentSpec { Template = new V1PodTemplateSpec { Spec = spec } } });

        // CPU: max(350m of containers, 1 of the init container) + 10m overhead; memory: max(256Mi, 64Mi).
        Assert.Equal(new ScaleControl.Core.Capacity.PodResources(1010, 256L << 20), ScaleControl.Kubernetes.Capacity.PodSpecRequests.Of(kept.Spec.Template.Spec));
        Assert.Single(kept.Spec.Template.Spec.Containers);
    }

    [Fact]
    public void Keep_Deployment_DropsManagedFieldsForeignAnnotationsAndThePodSpec()
    {
        var served = KubernetesJson.Deserialize<V1Deployment>(ServedDeployment);
        var kept = CachedFields.Keep(served);

        Assert.Null(kept.Metadata.ManagedFields);
        Assert.Null(kept.Metadata.Labels);
        Assert.DoesNotContain("kubectl.kubernetes.io/last-applied-configuration", kept.Metadata.Annotations.Keys);
        Assert.Null(kept.Spec.Template.Spec.Containers[0].Image);
        Assert.Null(kept.Spec.Template.Spec.Containers[0].Env);
        Assert.Null(kept.Status.Conditions);
        // A third even for this small object (one container's requests are kept for the cost and room of a change);
        // real Deployments carry far more managedFields and pod spec, all dropped.
        Assert.True(KubernetesJson.Serialize(kept).Length * 3 < KubernetesJson.Serialize(served).Length, "the cached copy is a fraction of the served object");
    }

    [Fact]
    public void Keep_WithoutOurAnnotationsOrProbes_LeavesThemNull()
    {
        var kept = CachedFields.Keep(new V1StatefulSet
        {
            Metadata = new V1ObjectMeta { Name = "transcoder", Annotations = new Dictionary<string, string> { ["team"] = "video" } },
            Spec = new V1StatefulSetSpec { Replicas = 4, Template = new V1PodTemplateSpec { Spec = new V1PodSpec { Containers = [new V1Container { Name = "ffmpeg" }] } } },
        });

        Assert.Null(kept.Metadata.Annotations);
        Assert.Equal(4, kept.Spec.Replicas);
        Assert.Null(kept.Spec.Template.Spec.Containers[0].ReadinessProbe);
        Assert.Null(kept.Status);
    }

    [Fact]
    public void Keep_Hpa_KeepsTargetBoundsAndOurAnnotation()
    {
        var kept = CachedFields.Keep(new V2HorizontalPodAutoscaler
        {
            Metadata = new V1ObjectMeta { Name = "feed", NamespaceProperty = "feed", ResourceVersion = "9", Annotations = new Dictionary<string, string> { ["scalecontrol.io/original-min-replicas"] = "4" } },
            Spec = new V2HorizontalPodAutoscalerSpec
            {
                ScaleTargetRef = new V2CrossVersionObjectReference { Kind = "Deployment", Name = "feed-service" },
                MinReplicas = 8, MaxReplicas = 40,
                Metrics = [new V2MetricSpec { Type = "Resource" }],
            },
            Status = new V2HorizontalPodAutoscalerStatus { CurrentReplicas = 8, DesiredReplicas = 8 },
        });

        Assert.Equal(("Deployment", "feed-service", 8, 40), (kept.Spec.ScaleTargetRef.Kind, kept.Spec.ScaleTargetRef.Name, kept.Spec.MinReplicas, kept.Spec.MaxReplicas));
        Assert.Equal("4", kept.Metadata.Annotations["scalecontrol.io/original-min-replicas"]);
        Assert.Equal("9", kept.Metadata.ResourceVersion);
        Assert.Null(kept.Spec.Metrics);
        Assert.Null(kept.Status);
    }
}
