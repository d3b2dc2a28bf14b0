using System.Text.Json.Nodes;
using ScaleControl.Sandbox.Kubernetes.Api;
using ScaleControl.Sandbox.Kubernetes.Cluster;
using ScaleControl.Sandbox.Kubernetes.Json;
using ScaleControl.Sandbox.Kubernetes.Resources;

namespace ScaleControl.Sandbox.Kubernetes.Operations;

/// <summary>
/// The pods/eviction subresource, as kube-apiserver 1.32's EvictionREST (<c>pkg/registry/core/pod/storage/eviction.go</c>):
/// a pod that is Pending, finished or already being deleted is deleted at once; otherwise the one PodDisruptionBudget
/// that selects it must allow a disruption, which the eviction spends (disruptionsAllowed − 1, the pod in
/// disruptedPods) before deleting the pod with the eviction's DeleteOptions. No budget left is the 429 <c>kubectl
/// drain</c> retries every 5 s; two budgets for one pod are a 500. A pod that is not Ready is deleted without spending
/// when the budget is healthy (IfHealthyBudget) or says AlwaysAllow.
/// </summary>
internal sealed class PodEviction(ResourceOperations operations, DisruptionController disruption, TimeProvider time)
{
    public JsonObject Evict(string ns, string name, JsonObject eviction, bool dryRunQuery)
    {
        if (JsonPaths.GetString(eviction, "metadata.name") != name)
        {
            throw ApiErrors.BadRequest("name in URL does not match name in Eviction object");
        }

        // propagateDryRun: the query's dryRun fills in the eviction's own options when they have none.
        var options = eviction["deleteOptions"]?.DeepClone() as JsonObject ?? [];
        if (dryRunQuery && options["dryRun"] is not JsonArray { Count: > 0 })
        {
            options["dryRun"] = new JsonArray("All");
        }

        var dryRun = DeleteOptions.IsDryRun(options);
        lock (disruption.Gate)
        {
            var pod = operations.Get(BuiltInResources.Pods, ns, name);
            var phase = JsonPaths.GetString(pod, "status.phase");
            var terminating = pod["metadata"]?["deletionTimestamp"] is not null;
            if (phase is "Pending" or "Succeeded" or "Failed" || terminating)
            {
                // canIgnorePDB; a Pending pod is deleted only as it was read (shouldEnforceResourceVersion).
                Delete(ns, name, phase == "Pending" && !terminating ? WithResourceVersion(options, pod) : options, dryRun);
                return Success();
            }

            var budgets = operations.Store.Project(PolicyResources.PodDisruptionBudgets.Storage, b => (JsonObject)b.DeepClone())
                .Where(b => JsonPaths.GetString(b, "metadata.namespace") == ns && Selects(b, pod))
                .ToList();
            if (budgets.Count > 1)
            {
                throw new ApiException(new JsonObject
                {
                    ["kind"] = "Status", ["apiVersion"] = "v1", ["metadata"] = new JsonObject(), ["status"] = "Failure",
                    ["message"] = "This pod has more than one PodDisruptionBudget, which the eviction subresource does not support.",
                    ["code"] = 500,
                });
            }

            if (budgets.Count == 1 && Unhealthy(pod, budgets[0]))
            {
                Delete(ns, name, WithResourceVersion(options, pod), dryRun);
                return Success();
            }

            if (budgets.Count == 1)
            {
                Spend(budgets[0], name, dryRun);
            }

            Delete(ns, name, options, dryRun);
            return Success();
        }
    }

    // A not-Ready pod does not count as healthy, so evicting it spends nothing: always under AlwaysAllow, and under
    // IfHealthyBudget (the default) while the budget has its desired healthy pods.
    private static bool Unhealthy(JsonObject pod, JsonObject budget) =>
        !BuiltInResources.IsReady(pod)
        && (JsonPaths.GetString(budget, "spec.unhealthyPodEvictionPolicy") == "AlwaysAllow"
            || (JsonPaths.GetInt(budget, "status.currentHealthy") >= JsonPaths.GetInt(budget, "status.desiredHealthy")
                && JsonPaths.GetInt(budget, "status.desiredHealthy") > 0));

    // checkAndDecrement.
    private void Spend(JsonObject budget, string podName, bool dryRun)
    {
        var budgetName = JsonPaths.GetString(budget, "metadata.name")!;
        var status = budget["status"] as JsonObject ?? [];
        if ((JsonPaths.GetInt(status, "observedGeneration") ?? 0) < (JsonPaths.GetInt(budget, "metadata.generation") ?? 0))
        {
            throw TooManyRequests($"The disruption budget {budgetName} is still being processed by the server.", retryAfterSeconds: 10);
        }

        var allowed = JsonPaths.GetInt(status, "disruptionsAllowed") ?? 0;
        if (allowed <= 0)
        {
            throw TooManyRequests(
                $"The disruption budget {budgetName} needs {JsonPaths.GetInt(status, "desiredHealthy") ?? 0} healthy pods and has {JsonPaths.GetInt(status, "currentHealthy") ?? 0} currently",
                retryAfterSeconds: 0);
        }

        if (dryRun)
        {
            return;
        }

        var now = time.GetUtcNow();
        operations.WriteStatus(PolicyResources.PodDisruptionBudgets, JsonPaths.GetString(budget, "metadata.namespace")!, budgetName,
            JsonPaths.GetString(budget, "metadata.uid")!, s =>
            {
                s["disruptionsAllowed"] = allowed - 1;
                if (allowed == 1)
                {
                    DisruptionController.SetAllowedCondition(s, now);
                }

                s.Obj("disruptedPods")[podName] = Timestamps.Format(now);
            });
    }

    // A selector the eviction can use: an empty or missing one matches nothing here (getPodDisruptionBudgets).
    private static bool Selects(JsonObject budget, JsonObject pod) =>
        budget["spec"]?["selector"] is JsonObject selector
        && (selector["matchLabels"] as JsonObject is { Count: > 0 } || selector["matchExpressions"] as JsonArray is { Count: > 0 })
        && DisruptionController.Selected(budget, [pod]).Count == 1;

    private static JsonObject WithResourceVersion(JsonObject options, JsonObject pod)
    {
        if (JsonPaths.GetString(options, "preconditions.resourceVersion") is not null)
        {
            return options;
        }

        var copy = (JsonObject)options.DeepClone();
        copy.Obj("preconditions")["resourceVersion"] = JsonPaths.GetString(pod, "metadata.resourceVersion");
        return copy;
    }

    private void Delete(string ns, string name, JsonObject options, bool dryRun) =>
        operations.Delete(BuiltInResources.Pods, ns, name, options, dryRun);

    private static JsonObject Success() => new()
    {
        ["kind"] = "Status", ["apiVersion"] = "v1", ["metadata"] = new JsonObject(), ["status"] = "Success", ["code"] = 201,
    };

    // errors.NewTooManyRequests with the DisruptionBudget cause the eviction adds.
    private static ApiException TooManyRequests(string cause, int retryAfterSeconds)
    {
        var details = new JsonObject { ["causes"] = new JsonArray(new JsonObject { ["reason"] = "DisruptionBudget", ["message"] = cause }) };
        if (retryAfterSeconds > 0)
        {
            details["retryAfterSeconds"] = retryAfterSeconds;
        }

        return new ApiException(
            ApiErrors.Status(429, "TooManyRequests", "Cannot evict pod as it would violate the pod's disruption budget.", details),
            retryAfterSeconds > 0 ? TimeSpan.FromSeconds(retryAfterSeconds) : null);
    }
}
