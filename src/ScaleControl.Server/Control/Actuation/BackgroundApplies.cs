using System.Collections.Concurrent;
using ScaleControl.Core.Proposals;
using ScaleControl.Server.Telemetry;

namespace ScaleControl.Server.Control.Actuation;

/// <summary>
/// Runs applies behind a recorded approval: a tap is answered as soon as the approval is durable (the proposal is
/// Applying, claimed by this replica), and the scale write happens here, off DingTalk's 2 s reply window. A graceful
/// stop waits for the applies in flight; a crash leaves the claim, which the leader resumes (<see cref="ScaleApplier.ResumeAsync"/>).
/// </summary>
public sealed class BackgroundApplies(ScaleApplier applier, TimeProvider time, ILogger<BackgroundApplies> logger) : IHostedService
{
    private static readonly TimeSpan s_stopLimit = TimeSpan.FromSeconds(20);
    private readonly ConcurrentDictionary<Task<ScaleProposal>, string> _running = new();

    /// <summary>Starts applying a claimed proposal; the task completes with its final record.</summary>
    public Task<ScaleProposal> Start(ScaleProposal claimed, string by)
    {
        var apply = Task.Run(async () =>
        {
            try
            {
                return await applier.ApplyClaimedAsync(claimed, by, CancellationToken.None);
            }
            catch (Exception ex)
            {
                logger.ApplyFailed(ex, claimed.Metadata.Namespace, claimed.Metadata.Name);
                throw;
            }
        });
        _running[apply] = claimed.Key;
        _ = apply.ContinueWith(done => _running.TryRemove(done, out _), TaskScheduler.Default);
        return apply;
    }

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>Waits (bounded) for the applies in flight; one that does not finish stays claimed and the leader resumes it.</summary>
    public Task StopAsync(CancellationToken cancellationToken) =>
        Task.WhenAny(Task.WhenAll(_running.Keys), Task.Delay(s_stopLimit, time, cancellationToken));
}
