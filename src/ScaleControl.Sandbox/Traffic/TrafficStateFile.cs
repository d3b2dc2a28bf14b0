using System.Text.Json;
using Microsoft.Data.Sqlite;
using ScaleControl.Sandbox.Kubernetes.Storage;

namespace ScaleControl.Sandbox.Traffic;

/// <summary>
/// The traffic an operator started, on disk beside the sandbox cluster's state: one SQLite file (<c>traffic.db</c>)
/// with the hot events (from the API and demo mode), the push campaigns (by trace name: the shape is read again from
/// the trace), the trace replays and the id counters, each written before the request that changed it is answered,
/// so after a restart (even <c>kill -9</c>) a surge or a push still plays out where it was, under the same id. Events
/// that ended more than the retention ago are dropped on open. Without
/// <see cref="SandboxTrafficOptions.StateDirectory"/> nothing is kept.
/// </summary>
internal sealed class TrafficStateFile : IDisposable
{
    public const string FileName = "traffic.db";

    private readonly SqliteConnection _connection;

    private TrafficStateFile(SqliteConnection connection) => _connection = connection;

    public static TrafficStateFile? Open(SandboxTrafficOptions options) =>
        options.StateDirectory is { Length: > 0 } directory
            ? new(SandboxDatabase.Open(directory, FileName, options.ResetState, """
                CREATE TABLE IF NOT EXISTS hot_events (id TEXT PRIMARY KEY, ends_at INTEGER NOT NULL, body TEXT NOT NULL);
                CREATE TABLE IF NOT EXISTS pushes (id TEXT PRIMARY KEY, ends_at INTEGER NOT NULL, body TEXT NOT NULL);
                CREATE TABLE IF NOT EXISTS replays (service TEXT PRIMARY KEY, ends_at INTEGER NOT NULL, body TEXT NOT NULL);
                CREATE TABLE IF NOT EXISTS counters (name TEXT PRIMARY KEY, value INTEGER NOT NULL);
                """))
            : null;

    /// <summary>What was kept, without what ended before <paramref name="endedAfter"/> (dropped from the file too).</summary>
    public SavedTraffic Load(DateTimeOffset endedAfter)
    {
        foreach (var table in new[] { "hot_events", "pushes", "replays" })
        {
            Execute($"DELETE FROM {table} WHERE ends_at < $t", ("$t", endedAfter.ToUnixTimeSeconds()));
        }

        return new SavedTraffic(
            [.. Bodies("hot_events").Select(b => Parse<HotEvent>("hot_events", b))],
            [.. Bodies("pushes").Select(b => Parse<SavedPush>("pushes", b))],
            [.. Bodies("replays").Select(b => Parse<TraceReplay>("replays", b))],
            Counter("hot"),
            Counter("push"));
    }

    public void PutHotEvent(HotEvent hotEvent, long counter) => Put("hot_events", hotEvent.Id, hotEvent.EndsAt, JsonSerializer.Serialize(hotEvent), "hot", counter);

    public void PutPush(PushCampaign campaign, long counter) => Put("pushes", campaign.Id, campaign.EndsAt,
        JsonSerializer.Serialize(new SavedPush(campaign.Id, campaign.Namespace, campaign.Workload, campaign.Recipients, campaign.Shape.TraceName, campaign.StartsAt)), "push", counter);

    public void PutReplay(TraceReplay replay) => Put("replays", $"{replay.Namespace}/{replay.Workload}", replay.EndsAt, JsonSerializer.Serialize(replay), null, 0);

    public void Dispose() => _connection.Dispose();

    private void Put(string table, string key, DateTimeOffset endsAt, string body, string? counterName, long counter)
    {
        using var transaction = _connection.BeginTransaction();
        var column = table == "replays" ? "service" : "id";
        Execute($"INSERT INTO {table} ({column}, ends_at, body) VALUES ($k, $e, $b) ON CONFLICT ({column}) DO UPDATE SET ends_at = excluded.ends_at, body = excluded.body",
            ("$k", key), ("$e", endsAt.ToUnixTimeSeconds()), ("$b", body));
        if (counterName is not null)
        {
            Execute("INSERT INTO counters (name, value) VALUES ($n, $v) ON CONFLICT (name) DO UPDATE SET value = excluded.value", ("$n", counterName), ("$v", counter));
        }

        transaction.Commit();
    }

    private long Counter(string name)
    {
        using var command = _connection.CreateCommand();
        command.CommandText = "SELECT value FROM counters WHERE name = $n";
        command.Parameters.AddWithValue("$n", name);
        return command.ExecuteScalar() is long value ? value : 0;
    }

    private T Parse<T>(string table, string body) => SandboxDatabase.ParseRow(_connection, $"of {table}", body, b => JsonSerializer.Deserialize<T>(b));

    private List<string> Bodies(string table)
    {
        using var command = _connection.CreateCommand();
        command.CommandText = $"SELECT body FROM {table} ORDER BY rowid";
        using var reader = command.ExecuteReader();
        var bodies = new List<string>();
        while (reader.Read())
        {
            bodies.Add(reader.GetString(0));
        }

        return bodies;
    }

    private void Execute(string sql, params (string Name, object Value)[] parameters)
    {
        using var command = _connection.CreateCommand();
        command.CommandText = sql;
        foreach (var (name, value) in parameters)
        {
            command.Parameters.AddWithValue(name, value);
        }

        command.ExecuteNonQuery();
    }
}

/// <summary>A push campaign as kept: its shape is the trace's, read again on restore.</summary>
internal sealed record SavedPush(string Id, string Namespace, string Workload, long Recipients, string Trace, DateTimeOffset StartsAt);

internal sealed record SavedTraffic(IReadOnlyList<HotEvent> HotEvents, IReadOnlyList<SavedPush> Pushes, IReadOnlyList<TraceReplay> Replays, long HotEventCounter, long PushCounter);
