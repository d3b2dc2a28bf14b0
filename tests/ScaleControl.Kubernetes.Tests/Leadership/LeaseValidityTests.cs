using k8s.LeaderElection;
using Microsoft.Extensions.Time.Testing;
using ScaleControl.Kubernetes.Leadership;

namespace ScaleControl.Kubernetes.Tests.Leadership;

/// <summary>
/// A renewal's answer read late (the replica was paused by SIGSTOP, a long GC or a starved node between the API
/// server's write and reading its answer) must not extend the lease past what the other replicas allow it.
/// </summary>
public sealed class LeaseValidityTests
{
    private static readonly TimeSpan RenewDeadline = TimeSpan.FromSeconds(2);
    private static readonly TimeSpan LeaseDuration = TimeSpan.FromSeconds(3);

    /// <summary>A lease lock whose write is served at once and whose answer arrives <see cref="AnswerDelay"/> later.</summary>
    private sealed class LateAnswerLock(FakeTimeProvider time) : ILock
    {
        public TimeSpan AnswerDelay { get; set; }

        public DateTimeOffset? ServedAt { get; private set; }

        public string Identity => "replica-a";

        public Task<LeaderElectionRecord> GetAsync(CancellationToken cancellationToken = default) => Task.FromResult(new LeaderElectionRecord());

        public Task<bool> CreateAsync(LeaderElectionRecord record, CancellationToken cancellationToken = default) => WriteAsync();

        public Task<bool> UpdateAsync(LeaderElectionRecord record, CancellationToken cancellationToken = default) => WriteAsync();

        public string Describe() => "late-answer lock";

        private Task<bool> WriteAsync()
        {
            ServedAt = time.GetUtcNow();
            time.Advance(AnswerDelay);
            return Task.FromResult(true);
        }
    }

    [Fact]
    public async Task RenewalAnswerReadLate_AfterOthersMayTakeOver_LeaseNotTrusted()
    {
        var time = new FakeTimeProvider(DateTimeOffset.Parse("2026-12-05T08:00:00Z", System.Globalization.CultureInfo.InvariantCulture));
        var validity = new LeaseValidity(RenewDeadline);
        var inner = new LateAnswerLock(time) { AnswerDelay = TimeSpan.FromSeconds(10) };
        var tracking = new RenewalTrackingLock(inner, time, validity.Renewed);

        Assert.True(await tracking.UpdateAsync(new LeaderElectionRecord { HolderIdentity = "replica-a" }));

        // Another replica saw the write when it was served and may hold the lease from ServedAt + LeaseDuration on.
        Assert.True(time.GetUtcNow() >= inner.ServedAt + LeaseDuration);
        Assert.False(validity.HoldsAt(time.GetUtcNow()), "a renewal answered late extended the lease past the other replicas' take-over");
    }

    [Fact]
    public async Task RenewalAnsweredPromptly_TrustedForTheRenewDeadlineFromItsSending()
    {
        var time = new FakeTimeProvider(DateTimeOffset.Parse("2026-12-05T08:00:00Z", System.Globalization.CultureInfo.InvariantCulture));
        var validity = new LeaseValidity(RenewDeadline);
        var inner = new LateAnswerLock(time) { AnswerDelay = TimeSpan.FromMilliseconds(300) };
        var tracking = new RenewalTrackingLock(inner, time, validity.Renewed);
        var sent = time.GetUtcNow();

        Assert.True(await tracking.CreateAsync(new LeaderElectionRecord { HolderIdentity = "replica-a" }));

        Assert.True(validity.HoldsAt(time.GetUtcNow()));
        Assert.True(validity.HoldsAt(sent + RenewDeadline - TimeSpan.FromMilliseconds(1)));
        Assert.False(validity.HoldsAt(sent + RenewDeadline));
        validity.Revoke();
        Assert.False(validity.HoldsAt(time.GetUtcNow()));
    }

    [Fact]
    public async Task WriteOfAnotherHoldersRecord_NotARenewal()
    {
        var time = new FakeTimeProvider();
        var validity = new LeaseValidity(RenewDeadline);
        var tracking = new RenewalTrackingLock(new LateAnswerLock(time), time, validity.Renewed);

        Assert.True(await tracking.UpdateAsync(new LeaderElectionRecord { HolderIdentity = "replica-b" }));

        Assert.False(validity.HoldsAt(time.GetUtcNow()));
    }
}
