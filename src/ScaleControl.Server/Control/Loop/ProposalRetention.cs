using Microsoft.Extensions.Options;
using ScaleControl.Core.Ports;
using ScaleControl.Core.Proposals;
using ScaleControl.Server.Hosting;
using ScaleControl.Server.Telemetry;

namespace ScaleControl.Server.Control.Loop;

/// <summary>
/// Deletes finished ScaleProposals by the <see cref="HistoryOptions"/> rules, so the audit records stay bounded in
/// etcd and in every replica's watch cache. Runs on the leader only, at most once per
/// <see cref="HistoryOptions.PruneIntervalSeconds"/> on the injected clock. Every delete is conditional on the
/// resourceVersion the pass read, so a record that moved since is left for the next pass to judge.
/// </summary>
public sealed class ProposalRetention(
    IProposalStore store,
    ILeadership leadership,
    IOptions<HistoryOptions> options,
    TimeProvider time,
    ScaleControlMetrics metrics,
    ILogger<ProposalRetention> logger)
{
    private DateTimeOffset? _lastPass;
    private Task _pass = Task.CompletedTask;

    /// <summary>
    /// Starts a pass when one is due and the previous one has finished, and returns it (a completed task when none
    /// starts). The control loop does not wait for it: deletes are throttled API calls at the lowest priority, and
    /// the backlog after an upgrade can take minutes. Called by the loop, one tick at a time. Never throws.
    /// </summary>
    public Task PruneIfDueAsync(CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var interval = TimeSpan.FromSeconds(options.Value.PruneIntervalSeconds);
        if (!leadership.IsLeader || !_pass.IsCompleted || (_lastPass is { } last && now - last < interval))
        {
            return Task.CompletedTask;
        }

        _lastPass = now;
        _pass = PruneAsync(now, cancellationToken);
        return _pass;
    }

    private async Task PruneAsync(DateTimeOffset now, CancellationToken cancellationToken)
    {
        var settings = options.Value;
        try
        {
            var all = await store.ListAsync(null, cancellationToken);
            var candidates = ProposalRetentionRules.Select(all, now, TimeSpan.FromDays(settings.MaxAgeDays), settings.MaxPerPolicy);
            var (byAge, byCount, failed) = (0, 0, 0);
            (Exception Error, string Proposal)? firstFailure = null;
            foreach (var (proposal, reason) in candidates)
            {
                if (!leadership.IsLeader)
                {
                    break; // the Lease moved mid-pass: the new leader prunes from now on
                }

                try
                {
                    await store.DeleteAsync(proposal, cancellationToken);
                    if (reason == PruneReason.MaxAge)
                    {
                        byAge++;
                    }
                    else
                    {
                        byCount++;
                    }

                    metrics.ProposalPruned(MetricLabel(reason));
                }
                catch (ConcurrencyConflictException)
                {
                    // It changed since the pass read it (e.g. a late card update): the next pass judges it again.
                }
                catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
                {
                    failed++;
                    firstFailure ??= (ex, proposal.Key);
                }
            }

            if (byAge + byCount > 0)
            {
                logger.ProposalsPruned(byAge + byCount, byAge, settings.MaxAgeDays, byCount, settings.MaxPerPolicy);
            }

            if (firstFailure is { } failure)
            {
                // One line per pass, not per record: an API outage (or missing RBAC) would otherwise log thousands.
                logger.PruneDeleteFailed(failure.Error, failed, failure.Proposal);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Shutting down.
        }
        catch (Exception ex)
        {
            logger.PruneFailed(ex);
        }
    }

    private static string MetricLabel(PruneReason reason) => reason switch
    {
        PruneReason.MaxAge => "max_age",
        _ => "max_per_policy",
    };
}
