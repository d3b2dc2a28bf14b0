using System.Globalization;
using System.Text.Json.Nodes;
using ScaleControl.Sandbox.Kubernetes.Json;
using ScaleControl.Sandbox.Kubernetes.Operations;
using ScaleControl.Sandbox.Kubernetes.Resources;

namespace ScaleControl.Sandbox.Kubernetes.Cluster;

/// <summary>
/// The Deployment, ReplicaSet and StatefulSet controllers: keep each workload's pods at spec.replicas. A Deployment
/// owns one ReplicaSet per pod template and sizes them by its strategy (<see cref="DeploymentRollout"/>); a
/// ReplicaSet deletes surplus pods in <see cref="PodDeletionOrder"/>. A StatefulSet owns pods name-0..name-(n-1),
/// creates and deletes them as its podManagementPolicy says (<see cref="StatefulSetScaling"/>) and replaces outdated
/// ones from the highest ordinal, one at a time, as its podManagementPolicy and minReadySeconds allow.
/// </summary>
internal sealed class WorkloadControllers(Operations.ResourceOperations operations, PodScheduler scheduler, TimeProvider time)
{
    private const string DeploymentController = "deployment-controller";
    private const string StatefulSetController = "statefulset-controller";
    private const string ReplicaSetController = "replicaset-controller";

    // Workloads seen before; a workload seen for the first time with no pods starts the ready ones its (seeded) status claims.
    private readonly HashSet<string> _seen = [];
    private readonly StatefulSetHistory _statefulSetHistory = new(operations);

    public void Run()
    {
        // As FilterActivePods: a pod being deleted, or whose phase is Failed or Succeeded, no longer counts for a
        // ReplicaSet (it makes a new one and leaves the finished pod), and a workload being deleted is not synced. A
        // StatefulSet sees its finished pods, to delete and recreate them.
        var anyPods = operations.Store.Project(BuiltInResources.Pods.Storage, PodState.Of).ToLookup(p => p.OwnerUid ?? "");
        var live = anyPods.SelectMany(g => g).Where(p => !p.Terminating).ToLookup(p => p.OwnerUid ?? "");
        var pods = live.SelectMany(g => g).Where(p => !p.HasFinished).ToLookup(p => p.OwnerUid ?? "");
        var replicaSets = operations.Store.Project(BuiltInResources.ReplicaSets.Storage, WorkloadState.Of);
        var deployments = operations.Store.Project(BuiltInResources.Deployments.Storage, WorkloadState.Of);
        var statefulSets = operations.Store.Project(BuiltInResources.StatefulSets.Storage, WorkloadState.Of);
        var owners = new HashSet<string>();
        foreach (var deployment in deployments)
        {
            owners.Add(deployment.Uid);
            var owned = replicaSets.Where(r => r.OwnerUid == deployment.Uid).ToList();
            owners.UnionWith(deployment.Deleting ? owned.Select(r => r.Uid) : RunDeployment(deployment, owned, pods, anyPods));
        }

        // A ReplicaSet of its own (created so, or orphaned by its Deployment's deletion) keeps its pods itself.
        foreach (var replicaSet in replicaSets.Where(r => r.OwnerUid is null))
        {
            owners.Add(replicaSet.Uid);
            if (replicaSet.Deleting)
            {
                continue;
            }

            ScaleTo(replicaSet.Namespace, replicaSet.Name, replicaSet.Uid, "ReplicaSet", replicaSet.Template, pods[replicaSet.Uid].ToList(), [],
                replicaSet.Replicas, 0, () => $"{replicaSet.Name}-{PodObjects.RandomSuffix()}", new Dictionary<string, string>());
        }

        foreach (var statefulSet in statefulSets)
        {
            owners.Add(statefulSet.Uid);
            if (!statefulSet.Deleting)
            {
                RunStatefulSet(statefulSet, live[statefulSet.Uid].ToList(), anyPods[statefulSet.Uid].Where(p => p.Terminating));
            }
        }

        // The garbage collector: dependents whose owner is gone.
        foreach (var orphan in replicaSets.Where(r => r.OwnerUid is not null && !owners.Contains(r.OwnerUid)))
        {
            Delete(BuiltInResources.ReplicaSets, orphan.Namespace, orphan.Name);
        }

        foreach (var orphan in live.Where(g => g.Key.Length > 0 && !owners.Contains(g.Key)).SelectMany(g => g))
        {
            Delete(BuiltInResources.Pods, orphan.Namespace, orphan.Name);
        }

        foreach (var orphan in operations.Store.Project(BuiltInResources.ControllerRevisions.Storage, WorkloadState.Of).Where(r => r.OwnerUid is not null && !owners.Contains(r.OwnerUid)))
        {
            Delete(BuiltInResources.ControllerRevisions, orphan.Namespace, orphan.Name);
        }

        _seen.IntersectWith(owners);
    }

    /// <summary>Returns the uids of the Deployment's ReplicaSets.</summary>
    private List<string> RunDeployment(WorkloadState deployment, List<WorkloadState> owned, ILookup<string, PodState> pods, ILookup<string, PodState> anyPods)
    {
        var firstSight = _seen.Add(deployment.Uid);
        var now = time.GetUtcNow();
        var stored = operations.Store.Get(BuiltInResources.Deployments.Storage, deployment.Namespace, deployment.Name);
        var strategy = DeploymentStrategy.Of(stored);
        var current = PodObjects.CurrentReplicaSet(deployment, owned);
        var newest = owned.Select(r => r.RolloutRevision).DefaultIfEmpty(0).Max();
        var sizes = owned.Select(r => new ReplicaSetSize(r, pods[r.Uid].Count(p => p.IsAvailable(r.MinReadySeconds, now)))).ToList();
        var newSet = sizes.FirstOrDefault(s => s.ReplicaSet.Uid == current?.Uid);
        var oldSets = sizes.Where(s => s != newSet).ToList();
        var startReady = firstSight && owned.All(r => !pods[r.Uid].Any()) ? deployment.ReadyInStatus : 0;
        var created = false;

        // As syncDeployment: a paused Deployment, or a change of spec.replicas, is only scaled (sync(), which never
        // creates the new ReplicaSet); otherwise the strategy rolls.
        var scaleOnly = deployment.Paused || DeploymentRollout.IsScalingEvent(deployment.Replicas, sizes);
        if (scaleOnly)
        {
            DeploymentRollout.Scale(strategy, deployment.Replicas, newSet, oldSets, sizes.Sum(s => pods[s.ReplicaSet.Uid].Count()));
        }
        else if (strategy.Recreate)
        {
            // The new ReplicaSet is not even created while an old pod (terminating ones too) is left.
            if (DeploymentRollout.RecreateOldGone(oldSets, oldSets.Any(s => anyPods[s.ReplicaSet.Uid].Any())))
            {
                created = newSet is null;
                newSet ??= CreateReplicaSet(deployment, stored, newest + 1, deployment.Replicas, strategy);
                newSet?.ScaleTo(deployment.Replicas);
            }
        }
        else
        {
            created = newSet is null;
            newSet ??= CreateReplicaSet(deployment, stored, newest + 1, DeploymentRollout.NewReplicas(strategy, deployment.Replicas, oldSets, 0), strategy);
            if (newSet is not null)
            {
                DeploymentRollout.Rolling(strategy, deployment.Replicas, newSet, oldSets);
            }
        }

        if (newSet is not null)
        {
            SyncNewReplicaSet(deployment, stored, newSet.ReplicaSet, newest);
        }

        var related = owned.SelectMany(r => pods[r.Uid]).ToList();
        foreach (var size in newSet is null ? oldSets : [.. oldSets, newSet])
        {
            SetReplicas(size, deployment, strategy);
            var replicaSet = size.ReplicaSet;
            if (!replicaSet.Deleting)
            {
                // The ReplicaSet controller, in the same pass: its pods follow its new size.
                ScaleTo(replicaSet.Namespace, replicaSet.Name, replicaSet.Uid, "ReplicaSet", replicaSet.Template, pods[replicaSet.Uid].ToList(), related, size.Replicas,
                    size == newSet ? startReady : 0, () => $"{replicaSet.Name}-{PodObjects.RandomSuffix()}", new Dictionary<string, string>());
            }
        }

        // cleanupDeployment: from sync() while paused, and from a rollout that had nothing to scale once the
        // Deployment's status says it is complete (rolloutRolling, rolloutRecreate).
        var rolledQuietly = !scaleOnly && !created && !sizes.Any(s => s.Scaled) && DeploymentHistory.IsComplete(deployment, stored);
        if (deployment.Paused || rolledQuietly)
        {
            foreach (var old in DeploymentHistory.BeyondLimit(stored, oldSets))
            {
                Delete(BuiltInResources.ReplicaSets, old.Namespace, old.Name);
            }
        }

        return [.. sizes.Append(newSet).OfType<ReplicaSetSize>().Select(s => s.ReplicaSet.Uid)];
    }

    // getNewReplicaSet on an existing new ReplicaSet: going back to an older template (rollout undo) makes it the
    // newest revision; it takes the Deployment's annotations (change-cause) and minReadySeconds; and the Deployment
    // carries the revision it runs (kubectl rollout undo patches against that annotation).
    private void SyncNewReplicaSet(WorkloadState deployment, JsonObject? stored, WorkloadState current, int newest)
    {
        var revision = current.RolloutRevision < newest ? newest + 1 : current.RolloutRevision;
        var copied = DeploymentHistory.AnnotationsToCopy(stored, operations.Store.Get(BuiltInResources.ReplicaSets.Storage, current.Namespace, current.Name));
        if (current.RolloutRevision != revision || copied.Count > 0 || current.MinReadySeconds != deployment.MinReadySeconds)
        {
            operations.Rewrite(BuiltInResources.ReplicaSets, current.Namespace, current.Name, current.Uid, o =>
            {
                var annotations = o.Obj("metadata").Obj("annotations");
                foreach (var (key, value) in copied)
                {
                    annotations[key] = value;
                }

                if (current.RolloutRevision > 0 && current.RolloutRevision < revision)
                {
                    annotations[DeploymentHistory.RevisionHistoryAnnotation] =
                        DeploymentHistory.RevisionHistory((string?)annotations[DeploymentHistory.RevisionHistoryAnnotation], current.RolloutRevision);
                }

                annotations[WorkloadState.RevisionAnnotation] = revision.ToString(CultureInfo.InvariantCulture);
                SetMinReadySeconds(o.Obj("spec"), deployment.MinReadySeconds);
            });
        }

        if (deployment.RolloutRevision != revision)
        {
            operations.Rewrite(BuiltInResources.Deployments, deployment.Namespace, deployment.Name, deployment.Uid,
                o => o.Obj("metadata").Obj("annotations")[WorkloadState.RevisionAnnotation] = revision.ToString(CultureInfo.InvariantCulture),
                FieldOwner.ControllerManager);
        }
    }

    // minReadySeconds is omitempty: 0 leaves the field out.
    private static void SetMinReadySeconds(JsonObject spec, int seconds)
    {
        if (seconds > 0)
        {
            spec["minReadySeconds"] = seconds;
        }
        else
        {
            spec.Remove("minReadySeconds");
        }
    }

    private void RunStatefulSet(WorkloadState statefulSet, List<PodState> pods, IEnumerable<PodState> terminating)
    {
        var firstSight = _seen.Add(statefulSet.Uid);
        var revision = $"{statefulSet.Name}-{statefulSet.TemplateHash}";
        _statefulSetHistory.Sync(statefulSet, revision, pods.Select(p => p.Revision).ToHashSet());
        var byOrdinal = pods.ToDictionary(p => Ordinal(statefulSet.Name, p.Name) ?? -1 - pods.IndexOf(p));
        var withTerminating = new Dictionary<int, PodState>(byOrdinal.Where(kv => kv.Key >= 0));
        foreach (var pod in terminating)
        {
            if (Ordinal(statefulSet.Name, pod.Name) is { } ordinal)
            {
                withTerminating.TryAdd(ordinal, pod);
            }
        }

        var startReady = firstSight && pods.Count == 0 ? statefulSet.ReadyInStatus : 0;
        var plan = StatefulSetScaling.Plan(statefulSet.Replicas, statefulSet.ParallelPods, statefulSet.MinReadySeconds, time.GetUtcNow(), withTerminating, startReady);
        foreach (var finished in plan.Recreate)
        {
            RecordRecreating(statefulSet, finished);
            DeleteStatefulPod(statefulSet, finished);
            byOrdinal.Remove(Ordinal(statefulSet.Name, finished.Name)!.Value); // the rolling update sees it as just created
        }

        foreach (var ordinal in plan.Create)
        {
            var name = $"{statefulSet.Name}-{ordinal}";
            var labels = new Dictionary<string, string>
            {
                ["controller-revision-hash"] = revision,
                ["statefulset.kubernetes.io/pod-name"] = name,
                ["apps.kubernetes.io/pod-index"] = ordinal.ToString(CultureInfo.InvariantCulture),
            };
            if (CreatePod(statefulSet.Namespace, name, statefulSet.Template, Owner("apps/v1", "StatefulSet", statefulSet.Name, statefulSet.Uid), labels, startReady-- > 0, name))
            {
                RecordStatefulPod(statefulSet, "Create", name);
            }
        }

        // Pods whose name has no ordinal of this StatefulSet go too.
        foreach (var pod in plan.Delete.Concat(byOrdinal.Where(kv => kv.Key < 0).Select(kv => kv.Value)))
        {
            DeleteStatefulPod(statefulSet, pod);
        }

        if (!plan.Blocked && RollingUpdateTarget(statefulSet, byOrdinal, revision) is { } outdated)
        {
            DeleteStatefulPod(statefulSet, outdated);
        }
    }

    private void DeleteStatefulPod(WorkloadState statefulSet, PodState pod)
    {
        Delete(BuiltInResources.Pods, pod.Namespace, pod.Name);
        RecordStatefulPod(statefulSet, "Delete", pod.Name);
    }

    // StatefulPodControl.recordPodEvent: SuccessfulCreate "create Pod web-0 in StatefulSet web successful", and so on.
    private void RecordStatefulPod(WorkloadState statefulSet, string verb, string pod) =>
        ClusterEvents.Record(operations, ("apps/v1", "StatefulSet", statefulSet.Namespace, statefulSet.Name, statefulSet.Uid), "Normal", $"Successful{verb}", null,
            $"{verb.ToLowerInvariant()} Pod {pod} in StatefulSet {statefulSet.Name} successful", StatefulSetController, Timestamps.Format(time.GetUtcNow()));

    // processReplica's event before it deletes a pod that finished: a Warning for a failed one, Normal for one that succeeded.
    private void RecordRecreating(WorkloadState statefulSet, PodState pod)
    {
        var (type, reason, what) = pod.Phase == "Failed" ? ("Warning", "RecreatingFailedPod", "failed") : ("Normal", "RecreatingTerminatedPod", "terminated");
        ClusterEvents.Record(operations, ("apps/v1", "StatefulSet", statefulSet.Namespace, statefulSet.Name, statefulSet.Uid), type, reason, null,
            $"StatefulSet {statefulSet.Namespace}/{statefulSet.Name} is recreating {what} Pod {pod.Name}", StatefulSetController, Timestamps.Format(time.GetUtcNow()));
    }

    // RollingUpdate (1.32): the highest outdated ordinal is replaced (and recreated next pass) once every pod above it
    // is ready. OrderedReady first waits, as processReplica does, for every pod to be there, ready and available (ready
    // for minReadySeconds); Parallel does not, so there minReadySeconds does not slow a rollout (fixed only in 1.33).
    private PodState? RollingUpdateTarget(WorkloadState statefulSet, Dictionary<int, PodState> byOrdinal, string revision)
    {
        var now = time.GetUtcNow();
        if (!statefulSet.ParallelPods && Enumerable.Range(0, statefulSet.Replicas).Any(i => !byOrdinal.TryGetValue(i, out var pod) || !pod.IsAvailable(statefulSet.MinReadySeconds, now)))
        {
            return null;
        }

        for (var ordinal = statefulSet.Replicas - 1; ordinal >= 0; ordinal--)
        {
            if (!byOrdinal.TryGetValue(ordinal, out var pod) || (pod.Revision == revision && !pod.Ready))
            {
                return null; // just created, terminating or not ready: wait for it
            }

            if (pod.Revision != revision)
            {
                return pod;
            }
        }

        return null;
    }

    // manageReplicas: create the missing pods, or delete the surplus in getPodsToDelete's order (related: the pods of
    // the owning Deployment's ReplicaSets, which rank pods by how crowded their node is).
    private void ScaleTo(
        string ns, string ownerName, string ownerUid, string ownerKind, JsonObject template, List<PodState> pods, IEnumerable<PodState> related,
        int replicas, int startReady, Func<string> nameOf, Dictionary<string, string> labels)
    {
        var owner = Owner("apps/v1", ownerKind, ownerName, ownerUid);
        for (var i = pods.Count; i < replicas; i++)
        {
            var name = nameOf();
            if (CreatePod(ns, name, template, owner, labels, startReady-- > 0))
            {
                RecordReplicaSetPod(owner, ns, "SuccessfulCreate", $"Created pod: {name}");
            }
        }

        foreach (var pod in PodDeletionOrder.PodsToDelete(pods, related, pods.Count - replicas, time.GetUtcNow()))
        {
            Delete(BuiltInResources.Pods, pod.Namespace, pod.Name);
            RecordReplicaSetPod(owner, ns, "SuccessfulDelete", $"Deleted pod: {pod.Name}");
        }
    }

    // RealPodControl's events on the ReplicaSet, which kubectl describe rs shows.
    private void RecordReplicaSetPod(JsonObject owner, string ns, string reason, string message) =>
        ClusterEvents.Record(operations, ("apps/v1", "ReplicaSet", ns, (string)owner["name"]!, (string)owner["uid"]!), "Normal", reason, null,
            message, ReplicaSetController, Timestamps.Format(time.GetUtcNow()));

    // Null when a ReplicaSet of that name is in the way (e.g. of a deleted namesake the collector removes this pass).
    private ReplicaSetSize? CreateReplicaSet(WorkloadState deployment, JsonObject? deploymentObject, int revision, int replicas, DeploymentStrategy strategy)
    {
        var name = $"{deployment.Name}-{deployment.TemplateHash}";
        var template = WithLabel(deployment.Template, "pod-template-hash", deployment.TemplateHash);
        var selector = deploymentObject?["spec"]?["selector"]?.DeepClone() as JsonObject ?? [];
        selector.Obj("matchLabels")["pod-template-hash"] = deployment.TemplateHash;
        var replicaSet = new JsonObject
        {
            ["metadata"] = new JsonObject
            {
                ["name"] = name,
                ["namespace"] = deployment.Namespace,
                ["labels"] = template["metadata"]?["labels"]?.DeepClone(),
                ["annotations"] = new JsonObject
                {
                    [WorkloadState.RevisionAnnotation] = revision.ToString(CultureInfo.InvariantCulture),
                    [WorkloadState.DesiredReplicasAnnotation] = deployment.Replicas.ToString(CultureInfo.InvariantCulture),
                    [WorkloadState.MaxReplicasAnnotation] = (deployment.Replicas + strategy.MaxSurge(deployment.Replicas)).ToString(CultureInfo.InvariantCulture),
                },
                ["ownerReferences"] = new JsonArray(Owner("apps/v1", "Deployment", deployment.Name, deployment.Uid)),
            },
            ["spec"] = new JsonObject { ["replicas"] = replicas, ["selector"] = selector, ["template"] = template },
        };

        // SetNewReplicaSetAnnotations: the Deployment's own annotations first, the controller's on top.
        var annotations = replicaSet.Obj("metadata").Obj("annotations");
        foreach (var (key, value) in DeploymentHistory.AnnotationsToCopy(deploymentObject, null))
        {
            annotations[key] ??= value;
        }

        SetMinReadySeconds(replicaSet.Obj("spec"), deployment.MinReadySeconds);
        try
        {
            var created = WorkloadState.Of(operations.Create(BuiltInResources.ReplicaSets, deployment.Namespace, replicaSet));
            if (replicas > 0)
            {
                RecordScaling(deployment, name, 0, replicas);
            }

            // getNewReplicaSet's condition; the status writer replaces it as soon as the rollout makes progress.
            operations.WriteStatus(BuiltInResources.Deployments, deployment.Namespace, deployment.Name, deployment.Uid, status =>
                DeploymentConditions.Set(status, "Progressing", true, "NewReplicaSetCreated", $"Created new replica set \"{name}\"", Timestamps.Format(time.GetUtcNow())));
            return new ReplicaSetSize(created, 0);
        }
        catch (Api.ApiException e) when (e.Code is 409 or 403)
        {
            return null; // 403: its namespace is being deleted
        }
    }

    /// <returns>Whether the pod was created.</returns>
    private bool CreatePod(string ns, string name, JsonObject template, JsonObject owner, Dictionary<string, string> labels, bool startReady, string? hostname = null)
    {
        try
        {
            var created = operations.Create(BuiltInResources.Pods, ns, PodObjects.New(name, template, owner, labels, hostname), keepStatus: true);
            if (startReady)
            {
                scheduler.StartReady(JsonPaths.GetString(created, "metadata.uid")!);
            }

            return true;
        }
        catch (Api.ApiException e) when (e.Code is 409 or 403)
        {
            // A pod of that name is still there (e.g. created by hand), or the namespace is being deleted: the next pass sees it.
            return false;
        }
    }

    // scaleReplicaSet: the new size, and the desired/max-replicas annotations a later scale is proportioned by.
    private void SetReplicas(ReplicaSetSize size, WorkloadState deployment, DeploymentStrategy strategy)
    {
        var replicaSet = size.ReplicaSet;
        var max = deployment.Replicas + strategy.MaxSurge(deployment.Replicas);
        if (!size.Scaled || (replicaSet.Replicas == size.Replicas && replicaSet.DesiredReplicas == deployment.Replicas && replicaSet.MaxReplicas == max))
        {
            return;
        }

        operations.Rewrite(BuiltInResources.ReplicaSets, replicaSet.Namespace, replicaSet.Name, replicaSet.Uid, o =>
        {
            o.Obj("spec")["replicas"] = size.Replicas;
            var annotations = o.Obj("metadata").Obj("annotations");
            annotations[WorkloadState.DesiredReplicasAnnotation] = deployment.Replicas.ToString(CultureInfo.InvariantCulture);
            annotations[WorkloadState.MaxReplicasAnnotation] = max.ToString(CultureInfo.InvariantCulture);
        });
        if (replicaSet.Replicas != size.Replicas)
        {
            RecordScaling(deployment, replicaSet.Name, replicaSet.Replicas, size.Replicas);
        }
    }

    // The deployment controller's ScalingReplicaSet event (1.29+ wording), shown by kubectl describe deployment.
    private void RecordScaling(WorkloadState deployment, string replicaSet, int from, int to) =>
        ClusterEvents.Record(operations, ("apps/v1", "Deployment", deployment.Namespace, deployment.Name, deployment.Uid), "Normal", "ScalingReplicaSet",
            "Scale", $"Scaled {(to > from ? "up" : "down")} replica set {replicaSet} from {from} to {to}", DeploymentController, Timestamps.Format(time.GetUtcNow()));

    private void Delete(ResourceType type, string ns, string name) => operations.DeleteIfPresent(type, ns, name);

    private static JsonObject WithLabel(JsonObject template, string key, string value)
    {
        var copy = (JsonObject)template.DeepClone();
        copy.Obj("metadata").Obj("labels")[key] = value;
        return copy;
    }

    private static JsonObject Owner(string apiVersion, string kind, string name, string uid) => new()
    {
        ["apiVersion"] = apiVersion,
        ["kind"] = kind,
        ["name"] = name,
        ["uid"] = uid,
        ["controller"] = true,
        ["blockOwnerDeletion"] = true,
    };

    private static int? Ordinal(string statefulSet, string pod) =>
        pod.StartsWith(statefulSet + "-", StringComparison.Ordinal)
        && int.TryParse(pod[(statefulSet.Length + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out var ordinal)
            ? ordinal
            : null;
}
