using System.Net;
using System.Text.Json;
using k8s;
using k8s.Autorest;
using k8s.Models;
using Microsoft.Extensions.Logging;
using ScaleControl.Core.Faults;
using ScaleControl.Core.Ports;

namespace ScaleControl.Kubernetes.Leadership;

/// <summary>
/// The leader's fault ledger in a ConfigMap next to the leader Lease (<c>{LeaseName}-faults</c> in the lease's
/// namespace, the chart's leader-election Role grants it), so the next leader goes on with the same notices. Only the
/// leader writes it; a write that meets another's (409) is re-read and written again. Best-effort: a failure is
/// logged and the ledger stays in memory (the worst case is the old behaviour: an ongoing fault announced again).
/// </summary>
public sealed partial class ConfigMapFaultLedgerStore(IKubernetes client, KubernetesOptions options, ILogger<ConfigMapFaultLedgerStore> logger) : IFaultLedgerStore
{
    public const string DataKey = "faults.json";
    private const int MaxBytes = 64 * 1024; // a handful of dependencies; anything larger is not ours
    private static readonly JsonSerializerOptions s_json = new(JsonSerializerDefaults.Web);

    private string Namespace => options.LeaderElection.Namespace;

    public string Name => options.LeaderElection.LeaseName + "-faults";

    public async Task<IReadOnlyList<FaultRecord>> LoadAsync(CancellationToken cancellationToken)
    {
        try
        {
            var map = await ReadAsync(cancellationToken).ConfigureAwait(false);
            return map?.Data?.TryGetValue(DataKey, out var json) == true && json.Length <= MaxBytes
                ? JsonSerializer.Deserialize<List<FaultRecord>>(json, s_json) ?? []
                : [];
        }
        catch (Exception e) when (e is HttpOperationException or HttpRequestException or JsonException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
        {
            LogFailed(logger, "read", Namespace, Name, e.Message);
            return [];
        }
    }

    public async Task SaveAsync(IReadOnlyList<FaultRecord> faults, CancellationToken cancellationToken)
    {
        var json = JsonSerializer.Serialize(faults, s_json);
        for (var attempt = 0; attempt < 2; attempt++)
        {
            try
            {
                var map = await ReadAsync(cancellationToken).ConfigureAwait(false);
                if (map is null)
                {
                    await client.CoreV1.CreateNamespacedConfigMapAsync(new V1ConfigMap
                    {
                        Metadata = new V1ObjectMeta { Name = Name, NamespaceProperty = Namespace, Labels = new Dictionary<string, string> { ["app.kubernetes.io/managed-by"] = "scalecontrol" } },
                        Data = new Dictionary<string, string> { [DataKey] = json },
                    }, Namespace, cancellationToken: cancellationToken).ConfigureAwait(false);
                }
                else
                {
                    map.Data ??= new Dictionary<string, string>();
                    map.Data[DataKey] = json;
                    await client.CoreV1.ReplaceNamespacedConfigMapAsync(map, Name, Namespace, cancellationToken: cancellationToken).ConfigureAwait(false);
                }

                return;
            }
            catch (HttpOperationException e) when (e.Response?.StatusCode == HttpStatusCode.Conflict && attempt == 0)
            {
                // Written by someone else since our read (the previous leader's last write): read again.
            }
            catch (Exception e) when (e is HttpOperationException or HttpRequestException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
            {
                LogFailed(logger, "write", Namespace, Name, e.Message);
                return;
            }
        }
    }

    private async Task<V1ConfigMap?> ReadAsync(CancellationToken cancellationToken)
    {
        try
        {
            return await client.CoreV1.ReadNamespacedConfigMapAsync(Name, Namespace, cancellationToken: cancellationToken).ConfigureAwait(false);
        }
        catch (HttpOperationException e) when (e.Response?.StatusCode == HttpStatusCode.NotFound)
        {
            return null;
        }
    }

    [LoggerMessage(EventId = 1410, Level = LogLevel.Warning, Message = "Could not {Operation} the fault ledger ConfigMap {Namespace}/{Name}: {Reason}; it stays in this replica's memory")]
    private static partial void LogFailed(ILogger logger, string operation, string @namespace, string name, string reason);
}
