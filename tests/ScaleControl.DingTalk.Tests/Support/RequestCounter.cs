using System.Collections.Concurrent;
using System.Net;

namespace ScaleControl.DingTalk.Tests.Support;

/// <summary>Records each HTTP attempt of the client (it sits inside the resilience handler, so retries count).</summary>
internal sealed class RequestCounter
{
    private readonly ConcurrentQueue<(string Path, HttpStatusCode Status)> _attempts = new();

    public IReadOnlyList<(string Path, HttpStatusCode Status)> Attempts => [.. _attempts];

    public int Count(string pathSuffix) => _attempts.Count(a => a.Path.EndsWith(pathSuffix, StringComparison.Ordinal));

    public DelegatingHandler NewHandler() => new Handler(this);

    private sealed class Handler(RequestCounter counter) : DelegatingHandler
    {
        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var response = await base.SendAsync(request, cancellationToken);
            counter._attempts.Enqueue((request.RequestUri!.AbsolutePath, response.StatusCode));
            return response;
        }
    }
}
