using ScaleControl.Core.Decisions;
using ScaleControl.Core.Policies;
using ScaleControl.Core.Ports;
using ScaleControl.Server.Control.Actuation;

namespace ScaleControl.Server.Control.Loop;

/// <summary>
/// What the loop does with an Observe policy's decision instead of acting on it: adds it to the policy's observation
/// (<see cref="ObservationTally"/>), records a <c>ScaleObserved</c> Event on the workload when it would have written a
/// new count, and returns what to say after the reason (null when it would run what runs). Nothing is written to the
/// workload, its HPA or the proposals; no card, no DING.
/// </summary>
public sealed class ObservedDecisions(Announcer announcer, TimeProvider time)
{
    public async Task<string?> RecordAsync(ScalePolicy policy, PolicyRuntime runtime, Decision decision, WorkloadState workload, CancellationToken cancellationToken)
    {
        // A new leader goes on from the stored record; the other modes clear it, so a switch back starts anew.
        var previous = runtime.Observation ?? policy.Status?.Observation;
        var running = workload.SpecReplicas;
        var would = decision.DesiredReplicas;
        runtime.Observation = ObservationTally.Next(previous, time.GetUtcNow(), running, would, policy.Spec.EvaluationIntervalSeconds);
        if (ObservationTally.WouldWrite(previous, running, would))
        {
            await announcer.EventAsync(runtime.TargetOf(policy), ScaleEventReasons.ScaleObserved, ObserveMode.EventMessage(running, would), warning: false, cancellationToken);
        }

        return ObserveMode.Said(decision);
    }
}
