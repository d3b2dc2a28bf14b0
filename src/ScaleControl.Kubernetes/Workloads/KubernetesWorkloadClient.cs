using System.Globalization;
using System.Net;
using System.Text.Json.Nodes;
using k8s;
using k8s.Autorest;
using k8s.Models;
using Microsoft.Extensions.Logging;
using ScaleControl.Core.Policies;
using ScaleControl.Core.Ports;
using ScaleControl.Kubernetes.Caching;
using ScaleControl.Kubernetes.Capacity;
using ScaleControl.Kubernetes.Client;

namespace ScaleControl.Kubernetes.Workloads;

/// <summary>
/// Reads workloads from the watch cache and changes them safely:
/// <list type="bullet">
/// <item>without an HPA, by replacing the <c>/scale</c> subresource with the resourceVersion read when the decision
/// was made, so a workload changed since then answers 409 and the caller gets <see cref="ScaleOutcome.Conflict"/>;</item>
/// <item>with an HPA, never through <c>/scale</c> (the HPA would overwrite it on its next sync): a scale-up raises the
/// HPA's <c>minReplicas</c> (a floor), the original minimum is kept in <see cref="OriginalMinReplicasAnnotation"/>,
/// and a scale-down to or below it restores the original. The HPA write is conditional on the HPA's resourceVersion.</item>
/// </list>
/// Reads see this replica's own <c>/scale</c> writes at once (<see cref="WriteChain{T}"/>), before the watch delivers
/// them: a second step right after the first (a group card's Undo all going back through two rows of one workload)
/// judges the count it left, not the one before it.
/// </summary>
public sealed partial class KubernetesWorkloadClient(
    IKubernetes client,
    WorkloadCache cache,
    KubernetesOptions options,
    ILogger<KubernetesWorkloadClient> logger) : IWorkloadClient
{
    public const string OriginalMinReplicasAnnotation = "scalecontrol.io/original-min-replicas";

    private readonly WriteChain<ScaleWritten> _ownScales = new(w => w.ResourceVersion);

    public async Task<WorkloadState?> GetAsync(WorkloadRef target, CancellationToken cancellationToken)
    {
        await cache.EnsureSyncedAsync(target, cancellationToken).ConfigureAwait(false);
        if (cache.Find(target) is not { } workload)
        {
            return null;
        }

        var key = WorkloadCache.Key(workload.Metadata);
        // Read on every evaluation: nothing is allocated unless a write of ours is newer than the cache.
        var ours = workload.Metadata.Uid is { } uid ? _ownScales.After(uid, workload.Metadata.ResourceVersion) : null;
        return new WorkloadState(
            target with { Kind = workload.Kind },
            ours?.Replicas ?? workload.SpecReplicas ?? 1,
            workload.ReadyReplicas ?? 0,
            ours?.ResourceVersion ?? workload.Metadata.ResourceVersion ?? "",
            workload.Metadata.Uid,
            cache.Startup.Estimate(key, workload.Metadata, workload.Template, workload.MinReadySeconds),
            cache.FindOwningHpa(target) is { } hpa ? Describe(hpa) : null,
            workload.Template is { } template ? PodSpecRequests.Of(template.Spec) : null);
    }

    public async Task<ScaleResult> ScaleAsync(ScaleRequest request, CancellationToken cancellationToken)
    {
        if (request.Replicas < 0)
        {
            return new ScaleResult(ScaleOutcome.Failed, null, $"replicas must be >= 0, got {request.Replicas}");
        }

        await cache.EnsureSyncedAsync(request.Target, cancellationToken).ConfigureAwait(false);
        if (cache.Find(request.Target) is not { } workload)
        {
            return new ScaleResult(ScaleOutcome.NotFound, null, $"{request.Target.Kind} {request.Target} not found");
        }

        if (cache.FindOwningHpa(request.Target) is { } hpa)
        {
            return await SetHpaFloorAsync(request, hpa, cancellationToken).ConfigureAwait(false);
        }

        var resourceVersion = request.ExpectedResourceVersion ?? workload.Metadata.ResourceVersion;
        return await ReplaceScaleAsync(request, workload, resourceVersion, cancellationToken).ConfigureAwait(false);
    }

    private async Task<ScaleResult> ReplaceScaleAsync(ScaleRequest request, CachedWorkload workload, string? resourceVersion, CancellationToken cancellationToken)
    {
        var target = request.Target;
        var scale = new V1Scale
        {
            ApiVersion = "autoscaling/v1",
            Kind = "Scale",
            Metadata = new V1ObjectMeta { Name = target.Name, NamespaceProperty = target.Namespace, ResourceVersion = resourceVersion },
            Spec = new V1ScaleSpec { Replicas = request.Replicas },
        };

        try
        {
            var written = workload.Kind == TargetRef.StatefulSetKind
                ? await client.AppsV1.ReplaceNamespacedStatefulSetScaleAsync(scale, target.Name, target.Namespace, fieldManager: options.FieldManager, cancellationToken: cancellationToken).ConfigureAwait(false)
                : await client.AppsV1.ReplaceNamespacedDeploymentScaleAsync(scale, target.Name, target.Namespace, fieldManager: options.FieldManager, cancellationToken: cancellationToken).ConfigureAwait(false);
            var replicas = written.Spec?.Replicas ?? request.Replicas;
            if (workload.Metadata.Uid is { } uid)
            {
                _ownScales.Record(uid, resourceVersion, new ScaleWritten(written.Metadata?.ResourceVersion, replicas));
            }

            LogScaled(logger, target.ToString(), workload.SpecReplicas ?? 0, replicas, request.Reason);
            return new ScaleResult(ScaleOutcome.Applied, replicas, $"scaled {workload.SpecReplicas} → {replicas}", ResourceVersion: written.Metadata?.ResourceVersion);
        }
        catch (HttpOperationException ex)
        {
            // A write whose answer was lost (a 5xx or a timeout after the server applied it) is retried with the same
            // resourceVersion and meets its own change: the workload already runs the count, so nothing is written again.
            // The live read, not the cache, decides: a watch may not have delivered the change yet.
            if (ex.Response?.StatusCode == HttpStatusCode.Conflict
                && await LiveReplicasAsync(workload.Kind, target, cancellationToken).ConfigureAwait(false) == request.Replicas)
            {
                LogAlreadyScaled(logger, target.ToString(), request.Replicas);
                return new ScaleResult(ScaleOutcome.Applied, request.Replicas, $"already at {request.Replicas} when the write conflicted (e.g. an earlier attempt went through but its answer was lost)");
            }

            return Failure(target, ex, $"the workload changed since resourceVersion {resourceVersion}; re-read and re-check");
        }
    }

    private async Task<int?> LiveReplicasAsync(string kind, WorkloadRef target, CancellationToken cancellationToken)
    {
        try
        {
            var scale = kind == TargetRef.StatefulSetKind
                ? await client.AppsV1.ReadNamespacedStatefulSetScaleAsync(target.Name, target.Namespace, cancellationToken: cancellationToken).ConfigureAwait(false)
                : await client.AppsV1.ReadNamespacedDeploymentScaleAsync(target.Name, target.Namespace, cancellationToken: cancellationToken).ConfigureAwait(false);
            return scale.Spec?.Replicas;
        }
        catch (HttpOperationException)
        {
            return null; // unknown: treated as the conflict it was
        }
    }

    private async Task<ScaleResult> SetHpaFloorAsync(ScaleRequest request, V2HorizontalPodAutoscaler hpa, CancellationToken cancellationToken)
    {
        var info = Describe(hpa);
        var currentMin = info.MinReplicas ?? 1;
        var original = info.OwnMinReplicas;
        var raise = request.Replicas > original;
        var floor = raise ? Math.Min(request.Replicas, info.MaxReplicas) : original;
        var message = !raise
            ? $"HPA {info.Name} owns the workload; minReplicas restored to its original {original}"
            : request.Replicas > info.MaxReplicas
                ? $"HPA {info.Name} owns the workload; minReplicas {currentMin} → {floor} (capped at its maxReplicas {info.MaxReplicas})"
                : $"HPA {info.Name} owns the workload; minReplicas {currentMin} → {floor}";

        if (floor == currentMin && raise == info.OriginalMinReplicas.HasValue)
        {
            return new ScaleResult(ScaleOutcome.Applied, floor, message + " (already set)", ViaHpa: true, hpa.Metadata?.ResourceVersion);
        }

        // A string body is sent verbatim: the explicit null removes the annotation (JSON merge patch, RFC 7386).
        var patch = new JsonObject
        {
            ["metadata"] = new JsonObject
            {
                ["resourceVersion"] = hpa.Metadata?.ResourceVersion,
                ["annotations"] = new JsonObject
                {
                    [OriginalMinReplicasAnnotation] = raise ? original.ToString(CultureInfo.InvariantCulture) : null,
                },
            },
            ["spec"] = new JsonObject { ["minReplicas"] = floor },
        };

        try
        {
            var written = await client.AutoscalingV2.PatchNamespacedHorizontalPodAutoscalerAsync(
                new V1Patch(patch.ToJsonString(), V1Patch.PatchType.MergePatch), info.Name, request.Target.Namespace,
                fieldManager: options.FieldManager, cancellationToken: cancellationToken).ConfigureAwait(false);
            LogHpaFloor(logger, request.Target.ToString(), info.Name, currentMin, floor, request.Reason);
            return new ScaleResult(ScaleOutcome.Applied, floor, message, ViaHpa: true, written.Metadata?.ResourceVersion);
        }
        catch (HttpOperationException ex)
        {
            return Failure(request.Target, ex, $"HPA {info.Name} changed since it was read; re-read and re-check") with { ViaHpa = true };
        }
    }

    /// <summary>What a <c>/scale</c> write of ours left: the workload's resourceVersion and spec.replicas after it.</summary>
    private sealed record ScaleWritten(string? ResourceVersion, int Replicas);

    private static HpaInfo Describe(V2HorizontalPodAutoscaler hpa)
    {
        int? original = hpa.Metadata?.Annotations?.TryGetValue(OriginalMinReplicasAnnotation, out var text) == true
            && int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) ? value : null;
        return new HpaInfo(hpa.Metadata?.Name ?? "", hpa.Spec?.MinReplicas, hpa.Spec?.MaxReplicas ?? 0, original);
    }

    private ScaleResult Failure(WorkloadRef target, HttpOperationException ex, string conflictMessage)
    {
        var status = ex.Response?.StatusCode;
        LogScaleFailed(logger, target.ToString(), (int?)status, ex.Describe());
        return status switch
        {
            HttpStatusCode.Conflict => new ScaleResult(ScaleOutcome.Conflict, null, conflictMessage),
            HttpStatusCode.NotFound => new ScaleResult(ScaleOutcome.NotFound, null, ex.Describe()),
            _ => new ScaleResult(ScaleOutcome.Failed, null, ex.Describe()),
        };
    }

    [LoggerMessage(EventId = 1301, Level = LogLevel.Information, Message = "Scaled {Target} {From} → {To}: {Reason}")]
    private static partial void LogScaled(ILogger logger, string target, int from, int to, string reason);

    [LoggerMessage(EventId = 1302, Level = LogLevel.Information, Message = "Set HPA floor of {Target} (HPA {Hpa}) minReplicas {From} → {To}: {Reason}")]
    private static partial void LogHpaFloor(ILogger logger, string target, string hpa, int from, int to, string reason);

    [LoggerMessage(EventId = 1304, Level = LogLevel.Information, Message = "Scale of {Target} to {Replicas} met a conflict, but the workload already runs {Replicas} (e.g. an earlier attempt went through but its answer was lost)")]
    private static partial void LogAlreadyScaled(ILogger logger, string target, int replicas);

    [LoggerMessage(EventId = 1303, Level = LogLevel.Warning, Message = "Scale of {Target} failed with {Status}: {Problem}")]
    private static partial void LogScaleFailed(ILogger logger, string target, int? status, string problem);
}
