using k8s;
using k8s.Autorest;
using k8s.Models;
using Microsoft.Extensions.Logging;
using ScaleControl.Core.Pods;
using ScaleControl.Core.Ports;
using ScaleControl.Kubernetes.Client;

namespace ScaleControl.Kubernetes.Workloads;

/// <summary>
/// Lists a workload's pods by its selector (from the watch cache) in its namespace, in one page of at most the asked
/// number, without the finished ones — on demand, when a status shows READY below CURRENT, never from the loop — and
/// keeps of each pod only what says why it is not ready. 403, an API error or a workload not in the cache give a
/// reason in words, never a throw.
/// </summary>
public sealed partial class KubernetesWorkloadPods(IKubernetes client, WorkloadCache cache, ILogger<KubernetesWorkloadPods> logger) : IWorkloadPods
{
    // Finished pods are no replicas (the ReplicaSet controller does not count them either).
    private const string UnfinishedPods = "status.phase!=Succeeded,status.phase!=Failed";

    public async Task<WorkloadPods> ListAsync(WorkloadRef target, int max, CancellationToken cancellationToken)
    {
        if (cache.Find(target) is not { } workload)
        {
            return WorkloadPods.Unreadable($"{target.Kind} {target} is not in the cache");
        }

        string? selector;
        try
        {
            selector = LabelSelectorQuery.Of(workload.Selector);
        }
        catch (ArgumentException ex)
        {
            return WorkloadPods.Unreadable(ex.Message);
        }

        if (selector is null)
        {
            return WorkloadPods.Unreadable($"{workload.Kind} {target} has no pod selector");
        }

        try
        {
            var page = await client.CoreV1.ListNamespacedPodAsync(
                target.Namespace, labelSelector: selector, fieldSelector: UnfinishedPods, limit: max, cancellationToken: cancellationToken).ConfigureAwait(false);
            var truncated = !string.IsNullOrEmpty(page.Metadata?.ContinueProperty) || page.Items.Count > max;
            return new WorkloadPods([.. page.Items.Take(max).Select(Facts)], truncated);
        }
        catch (HttpOperationException ex) when (ex.Response?.StatusCode == System.Net.HttpStatusCode.Forbidden)
        {
            LogUnread(logger, target.ToString(), ex.Describe());
            return WorkloadPods.Unreadable($"no permission to list pods in {target.Namespace}");
        }
        catch (Exception ex) when (ApiErrors.Unavailable(ex, cancellationToken) is { } problem)
        {
            LogUnread(logger, target.ToString(), problem);
            return WorkloadPods.Unreadable($"the pod list failed: {problem}");
        }
    }

    /// <summary>What a pod's status says about its readiness (the conditions and container states kubectl shows).</summary>
    internal static PodFacts Facts(V1Pod pod)
    {
        var conditions = pod.Status?.Conditions ?? [];
        var scheduled = conditions.FirstOrDefault(c => c.Type == "PodScheduled");
        var notScheduled = scheduled?.Status == "False" ? scheduled : null;
        var waiting = (pod.Status?.InitContainerStatuses ?? []).Concat(pod.Status?.ContainerStatuses ?? [])
            .Where(c => c.State?.Waiting?.Reason is { Length: > 0 })
            .Select(c => new ContainerWaiting(c.Name, c.State.Waiting.Reason, string.IsNullOrEmpty(c.State.Waiting.Message) ? null : c.State.Waiting.Message))
            .ToList();
        return new PodFacts(
            pod.Metadata?.Name ?? "",
            conditions.Any(c => c.Type == "Ready" && c.Status == "True"),
            pod.Metadata?.DeletionTimestamp is not null,
            !string.IsNullOrEmpty(pod.Spec?.NodeName),
            notScheduled?.Reason,
            string.IsNullOrEmpty(notScheduled?.Message) ? null : notScheduled.Message,
            waiting);
    }

    [LoggerMessage(EventId = 1420, Level = LogLevel.Debug, Message = "Pods of {Target} not read: {Problem}")]
    private static partial void LogUnread(ILogger logger, string target, string problem);
}
