using ScaleControl.Core.Ports;

namespace ScaleControl.Server.Tests.Infrastructure;

/// <summary>The approval inbox, with <paramref name="before"/> run as each decision arrives (see <see cref="ServerFactory.BeforeDecision"/>).</summary>
internal sealed class InboxAfter(Func<Task> before, IApprovalInbox inbox) : IApprovalInbox
{
    public async Task<ApprovalResult> DecideAsync(ApprovalCommand command, CancellationToken cancellationToken)
    {
        await before();
        return await inbox.DecideAsync(command, cancellationToken);
    }
}
