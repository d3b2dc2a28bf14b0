using System.Collections.Concurrent;
using System.Net;
using System.Threading.RateLimiting;
using k8s;
using k8s.Autorest;
using ScaleControl.Kubernetes.Client;
using Microsoft.Extensions.Logging;

namespace ScaleControl.Kubernetes.Caching;

/// <summary>
/// A list-then-watch cache of one resource kind (the shape of YARP's ResourceInformer): list and record the list's
/// resourceVersion, watch from it with bookmarks, track the resourceVersion of every event, re-list when the server
/// answers 410 Expired, drop a watch that stays silent past the idle timeout, and rate-limit reconnects. Readers
/// get the objects from memory, so a control loop over thousands of objects makes no per-tick list calls.
/// Restricted to namespaces, it runs that loop once per namespace on the namespace's own endpoints (its own
/// resourceVersion, failures and reconnect budget) into one set of objects, so a Role per namespace is enough.
/// </summary>
public sealed partial class ResourceCache<T> : IAsyncDisposable
    where T : class
{
    private readonly IResourceSource<T> _source;
    private readonly WatchOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly ConcurrentDictionary<string, T> _items = new(StringComparer.Ordinal);
    private readonly TaskCompletionSource _synced = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly CancellationTokenSource _stopping = new();
    private readonly IReadOnlyList<Scope> _scopes;
    private readonly Lock _startLock = new();
    private Task? _loop;
    private int _unlisted;
    private long _listCount;
    private long _watchCount;
    private volatile bool _hostStopping;

    /// <param name="namespaces">One entry per namespace to list and watch; null or <c>[null]</c>: all namespaces at once.</param>
    public ResourceCache(IResourceSource<T> source, WatchOptions options, TimeProvider time, ILogger logger, IReadOnlyList<string?>? namespaces = null)
    {
        _source = source;
        _options = options;
        _time = time;
        _logger = logger;
        _scopes = [.. (namespaces is { Count: > 0 } ? namespaces : [null]).Select(ns => new Scope(ns, options))];
        _unlisted = _scopes.Count;
    }

    /// <summary>Raised for every applied change (Added, Modified, Deleted; a re-list raises the differences).</summary>
    public event Action<WatchEventType, T>? Changed;

    /// <summary>The resourceVersion of the last list, event or bookmark (of the first namespace, when there are several).</summary>
    public string? ResourceVersion => _scopes[0].ResourceVersion;

    /// <summary>Lists and watches opened so far (for tests and figures).</summary>
    public long ListCount => Interlocked.Read(ref _listCount);

    public long WatchCount => Interlocked.Read(ref _watchCount);

    public bool IsSynced => _synced.Task.IsCompletedSuccessfully;

    /// <summary>Whether anything has asked for the cache yet (it lists on first use).</summary>
    public bool IsStarted => Volatile.Read(ref _loop) is not null;

    /// <summary>The resource, as the API names it (e.g. <c>statefulsets</c>).</summary>
    public string Name => _source.Name;

    /// <summary>Why the last list or watch failed, until a list succeeds again (null then); the first namespace's that failed.</summary>
    public CacheFailure? LastFailure => _scopes.Select(s => s.LastFailure).FirstOrDefault(f => f is not null);

    /// <summary>Starts the loop if needed and waits for the first full list.</summary>
    public Task WaitForSyncAsync(CancellationToken cancellationToken)
    {
        Start();
        return _synced.Task.WaitAsync(cancellationToken);
    }

    /// <summary>
    /// Waits for the first full list, but not for one that keeps failing: a cache whose list has failed since it
    /// started (a 403 from RBAC without the verb, a resource the server does not serve) throws at once with the
    /// API server's reason, and one still listing after <paramref name="patience"/> throws too. A reader then fails
    /// with a cause an operator can act on instead of waiting as long as its caller lets it.
    /// </summary>
    public async Task EnsureSyncedAsync(TimeSpan patience, CancellationToken cancellationToken)
    {
        if (IsSynced)
        {
            return;
        }

        if (LastFailure is { } failure)
        {
            throw new CacheNotSyncedException(Name, failure);
        }

        Start();
        try
        {
            await _synced.Task.WaitAsync(patience, _time, cancellationToken).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            throw new CacheNotSyncedException(Name, LastFailure ?? new CacheFailure($"the first list has not completed in {patience.TotalSeconds:0} s", _time.GetUtcNow(), 0));
        }
    }

    public void Start()
    {
        lock (_startLock)
        {
            _loop ??= Task.WhenAll(_scopes.Select(scope => Task.Run(() => RunAsync(scope, _stopping.Token))));
        }
    }

    public IEnumerable<T> Items => _items.Values;

    public T? Get(string key) => _items.GetValueOrDefault(key);

    /// <summary>
    /// The host is stopping: a list or watch that fails from now on (the API server may be going away too) ends the
    /// loop with one Information line, instead of a warning with its stack trace and reconnects nobody will read.
    /// The items stay readable until the cache is disposed.
    /// </summary>
    public void HostStopping() => _hostStopping = true;

    /// <summary>
    /// Puts the answer of our own write into the cache, so this replica reads its writes before the watch event
    /// arrives. Ignored when the cache already holds a newer version (etcd resourceVersions are integers).
    /// </summary>
    public void Observe(T item)
    {
        var key = _source.KeyOf(item);
        _items.AddOrUpdate(key, item, (_, current) => IsNewer(_source.ResourceVersionOf(item), _source.ResourceVersionOf(current)) ? item : current);
    }

    /// <summary>Removes an object we deleted (the watch's Deleted event will find nothing more to do).</summary>
    public void Forget(string key) => _items.TryRemove(key, out _);

    private static bool IsNewer(string? candidate, string? current) =>
        !long.TryParse(candidate, out var a) || !long.TryParse(current, out var b) || a >= b;

    private async Task RunAsync(Scope scope, CancellationToken stopping)
    {
        var relist = true;
        var failures = 0;
        while (!stopping.IsCancellationRequested)
        {
            using var watchdog = CancellationTokenSource.CreateLinkedTokenSource(stopping);
            try
            {
                using var lease = await scope.Reconnects.AcquireAsync(1, stopping).ConfigureAwait(false);
                if (relist)
                {
                    await ListAsync(scope, stopping).ConfigureAwait(false);
                    relist = false;
                }

                await WatchAsync(scope, watchdog, stopping).ConfigureAwait(false);
                failures = 0;
            }
            catch (OperationCanceledException) when (stopping.IsCancellationRequested)
            {
                return;
            }
            catch (OperationCanceledException)
            {
                LogWatchIdle(_logger, _source.Name, _options.IdleTimeoutSeconds);
            }
            catch (HttpRequestException ex) when (ex.InnerException is EndOfStreamException)
            {
                // KubernetesClient waits for a watch's first line; a stream closed before any line (timeout, dropped
                // connection) surfaces as this exception. Nothing was missed: resume from the last resourceVersion.
                LogWatchClosedEmpty(_logger, _source.Name);
            }
            catch (Exception ex) when (IsExpired(ex))
            {
                LogExpired(_logger, _source.Name, scope.ResourceVersion);
                relist = true;
            }
            catch (Exception ex) when (_hostStopping)
            {
                LogStoppedWithHost(_logger, _source.Name, Describe(ex));
                return;
            }
            catch (Exception ex)
            {
                failures++;
                relist = true;
                scope.LastFailure = new CacheFailure(Describe(ex), _time.GetUtcNow(), failures);
                if (ex is HttpOperationException notServed && notServed.Is(HttpStatusCode.NotFound))
                {
                    // A 404 on the list of a whole resource: the API server does not serve it (a CRD not installed).
                    LogNotServed(_logger, _source.Name, failures);
                }
                else
                {
                    LogWatchFailed(_logger, _source.Name, failures, ex);
                }

                var backoff = TimeSpan.FromMilliseconds(Math.Min(30_000, 200 * Math.Pow(2, Math.Min(failures, 8))) * (0.5 + (Random.Shared.NextDouble() / 2)));
                try
                {
                    await Task.Delay(backoff, _time, stopping).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
        }
    }

    private async Task ListAsync(Scope scope, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _listCount);
        var (items, resourceVersion) = await _source.ListAsync(scope.Namespace, cancellationToken).ConfigureAwait(false);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var item in items)
        {
            var key = _source.KeyOf(item);
            seen.Add(key);
            var existed = _items.TryGetValue(key, out var previous);
            _items[key] = item;
            if (!existed || _source.ResourceVersionOf(previous!) != _source.ResourceVersionOf(item))
            {
                Changed?.Invoke(existed ? WatchEventType.Modified : WatchEventType.Added, item);
            }
        }

        // Only this scope's objects can be gone: another namespace's loop answers for its own.
        foreach (var (key, gone) in _items.Where(pair => scope.Holds(pair.Key) && !seen.Contains(pair.Key)).ToList())
        {
            _items.TryRemove(key, out _);
            Changed?.Invoke(WatchEventType.Deleted, gone);
        }

        scope.ResourceVersion = resourceVersion;
        LogListed(_logger, _source.Name, scope.Namespace ?? "all namespaces", items.Count, resourceVersion);
        scope.LastFailure = null;
        if (!scope.Listed)
        {
            scope.Listed = true;
            if (Interlocked.Decrement(ref _unlisted) == 0)
            {
                _synced.TrySetResult();
            }
        }
    }

    private async Task WatchAsync(Scope scope, CancellationTokenSource watchdog, CancellationToken stopping)
    {
        Interlocked.Increment(ref _watchCount);
        var idle = TimeSpan.FromSeconds(_options.IdleTimeoutSeconds);
        watchdog.CancelAfter(idle);

        // ERROR events (e.g. 410 Expired inside a 200 stream) only reach onError; rethrowing ends the enumeration.
        var events = _source.WatchAsync(scope.Namespace, scope.ResourceVersion!, _options.WatchTimeoutSeconds, ex => throw ex, watchdog.Token);
        await foreach (var (type, item) in events.ConfigureAwait(false))
        {
            watchdog.CancelAfter(idle);
            var resourceVersion = _source.ResourceVersionOf(item);
            if (type != WatchEventType.Bookmark)
            {
                Apply(type, item);
            }

            if (!string.IsNullOrEmpty(resourceVersion))
            {
                scope.ResourceVersion = resourceVersion;
            }
        }

        stopping.ThrowIfCancellationRequested();
    }

    private void Apply(WatchEventType type, T item)
    {
        var key = _source.KeyOf(item);
        if (type == WatchEventType.Deleted)
        {
            _items.TryRemove(key, out _);
        }
        else
        {
            _items[key] = item;
        }

        Changed?.Invoke(type, item);
    }

    /// <summary>The API server's own words for a refused request (its Status message), else the exception's.</summary>
    private static string Describe(Exception ex) => ex switch
    {
        HttpOperationException http when http.Is(HttpStatusCode.NotFound) =>
            $"the API server does not serve it (404): {http.Describe()}",
        HttpOperationException http => $"{(int?)http.Response?.StatusCode} {http.Response?.ReasonPhrase}".Trim() is var line && http.Describe() is var words && words != line ? $"{line}: {words}" : line,
        _ => ex.Message,
    };

    private static bool IsExpired(Exception ex) => ex switch
    {
        KubernetesException { Status.Code: 410 } => true,
        HttpOperationException http => http.Response?.StatusCode == HttpStatusCode.Gone,
        _ => false,
    };

    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync().ConfigureAwait(false);
        if (_loop is not null)
        {
            await _loop.ConfigureAwait(false);
        }

        _stopping.Dispose();
        foreach (var scope in _scopes)
        {
            scope.Reconnects.Dispose();
        }
    }

    /// <summary>One namespace's loop (or the cluster-wide one): where its watch stands and how it last failed.</summary>
    private sealed class Scope(string? @namespace, WatchOptions options)
    {
        private readonly string? _prefix = @namespace is null ? null : @namespace + "/";
        private CacheFailure? _lastFailure;

        public string? Namespace => @namespace;

        public TokenBucketRateLimiter Reconnects { get; } = new(new TokenBucketRateLimiterOptions
        {
            TokenLimit = options.ReconnectBurst,
            TokensPerPeriod = 1,
            ReplenishmentPeriod = TimeSpan.FromSeconds(1 / options.ReconnectsPerSecond),
            QueueLimit = 1,
            AutoReplenishment = true,
        });

        public string? ResourceVersion { get; set; }

        public bool Listed { get; set; }

        public CacheFailure? LastFailure
        {
            get => Volatile.Read(ref _lastFailure);
            set => Volatile.Write(ref _lastFailure, value);
        }

        /// <summary>Whether the object under <paramref name="key"/> (<c>namespace/name</c>) is this loop's to list.</summary>
        public bool Holds(string key) => _prefix is null || key.StartsWith(_prefix, StringComparison.Ordinal);
    }

    [LoggerMessage(EventId = 1101, Level = LogLevel.Debug, Message = "Listed {Resource} in {Namespace}: {Count} objects at resourceVersion {ResourceVersion}")]
    private static partial void LogListed(ILogger logger, string resource, string @namespace, int count, string resourceVersion);

    [LoggerMessage(EventId = 1102, Level = LogLevel.Information, Message = "Watch of {Resource} expired at resourceVersion {ResourceVersion}; re-listing")]
    private static partial void LogExpired(ILogger logger, string resource, string? resourceVersion);

    [LoggerMessage(EventId = 1103, Level = LogLevel.Information, Message = "Watch of {Resource} was silent for {Seconds} s; reconnecting")]
    private static partial void LogWatchIdle(ILogger logger, string resource, int seconds);

    [LoggerMessage(EventId = 1105, Level = LogLevel.Debug, Message = "Watch of {Resource} closed before its first event; resuming")]
    private static partial void LogWatchClosedEmpty(ILogger logger, string resource);

    [LoggerMessage(EventId = 1106, Level = LogLevel.Error, Message = "The API server does not serve {Resource} (404, {Failures} in a row): are the CustomResourceDefinitions installed? kubectl apply -f charts/scalecontrol/crds/")]
    private static partial void LogNotServed(ILogger logger, string resource, int failures);

    [LoggerMessage(EventId = 1107, Level = LogLevel.Information, Message = "Watch of {Resource} ended with the host stopping: {Reason}")]
    private static partial void LogStoppedWithHost(ILogger logger, string resource, string reason);

    [LoggerMessage(EventId = 1104, Level = LogLevel.Warning, Message = "Watch of {Resource} failed ({Failures} in a row); re-listing")]
    private static partial void LogWatchFailed(ILogger logger, string resource, int failures, Exception exception);
}
