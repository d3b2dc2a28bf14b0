using ScaleControl.Kubernetes.Leadership;

namespace ScaleControl.Kubernetes.Client;

/// <summary>
/// The last check before a write leaves the process: inside a control-loop tick, a write (anything but GET) is
/// refused when this replica no longer leads in the tick's term. It sits after the rate limiter, so a write that
/// waited for a token is checked after the wait, and each retry is checked again.
/// </summary>
public sealed class LeaderFencingHandler(LeaderFence fence) : DelegatingHandler
{
    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        if (request.Method != HttpMethod.Get)
        {
            fence.ThrowIfLost($"{request.Method} {request.RequestUri?.AbsolutePath}");
        }

        return base.SendAsync(request, cancellationToken);
    }
}
