using System.Globalization;
using System.Text.Json.Nodes;
using Microsoft.Data.Sqlite;

namespace ScaleControl.Sandbox.Kubernetes.Storage;

/// <summary>
/// The object store on disk: one SQLite file (<c>cluster.db</c>) with a row per object and the cluster's
/// resourceVersion. Each write is a transaction committed before the store returns (WAL: a killed process loses
/// nothing committed). Deleting the file, or starting with reset, begins an empty cluster.
/// </summary>
internal sealed class StateFile : IDisposable
{
    public const string FileName = "cluster.db";

    private readonly SqliteConnection _connection;

    public StateFile(string directory, bool reset)
    {
        _connection = SandboxDatabase.Open(directory, FileName, reset, """
            CREATE TABLE IF NOT EXISTS objects (storage TEXT NOT NULL, namespace TEXT NOT NULL, name TEXT NOT NULL, body TEXT NOT NULL,
                PRIMARY KEY (storage, namespace, name));
            CREATE TABLE IF NOT EXISTS cluster (key TEXT PRIMARY KEY, value TEXT NOT NULL);
            """);
    }

    /// <summary>Everything kept: the last resourceVersion and every object.</summary>
    public (long ResourceVersion, List<(string Storage, string Namespace, string Name, JsonObject Body)> Objects) Load()
    {
        var objects = new List<(string, string, string, JsonObject)>();
        using (var select = _connection.CreateCommand())
        {
            select.CommandText = "SELECT storage, namespace, name, body FROM objects";
            using var reader = select.ExecuteReader();
            while (reader.Read())
            {
                var (storage, ns, name) = (reader.GetString(0), reader.GetString(1), reader.GetString(2));
                var body = SandboxDatabase.ParseRow(_connection, $"{storage} {ns}/{name}", reader.GetString(3), b => JsonNode.Parse(b) as JsonObject);
                objects.Add((storage, ns, name, body));
            }
        }

        using var version = _connection.CreateCommand();
        version.CommandText = "SELECT value FROM cluster WHERE key = 'resourceVersion'";
        var value = version.ExecuteScalar() as string;
        return (value is null ? 0 : long.Parse(value, CultureInfo.InvariantCulture), objects);
    }

    public void Put(string storage, string @namespace, string name, JsonObject body, long resourceVersion) =>
        InTransaction(resourceVersion, command =>
        {
            command.CommandText = "INSERT OR REPLACE INTO objects (storage, namespace, name, body) VALUES ($s, $n, $m, $b)";
            command.Parameters.AddWithValue("$s", storage);
            command.Parameters.AddWithValue("$n", @namespace);
            command.Parameters.AddWithValue("$m", name);
            command.Parameters.AddWithValue("$b", body.ToJsonString());
        });

    public void Remove(string storage, string @namespace, string name, long resourceVersion) =>
        InTransaction(resourceVersion, command =>
        {
            command.CommandText = "DELETE FROM objects WHERE storage = $s AND namespace = $n AND name = $m";
            command.Parameters.AddWithValue("$s", storage);
            command.Parameters.AddWithValue("$n", @namespace);
            command.Parameters.AddWithValue("$m", name);
        });

    /// <summary>The kept value of <paramref name="key"/>, or <paramref name="create"/>'s, stored first (a cluster secret such as a signing key).</summary>
    public string GetOrAdd(string key, Func<string> create)
    {
        using (var insert = _connection.CreateCommand())
        {
            insert.CommandText = "INSERT OR IGNORE INTO cluster (key, value) VALUES ($k, $v)";
            insert.Parameters.AddWithValue("$k", key);
            insert.Parameters.AddWithValue("$v", create());
            insert.ExecuteNonQuery();
        }

        using var select = _connection.CreateCommand();
        select.CommandText = "SELECT value FROM cluster WHERE key = $k";
        select.Parameters.AddWithValue("$k", key);
        return (string)select.ExecuteScalar()!;
    }

    public void Dispose() => _connection.Dispose();

    private void InTransaction(long resourceVersion, Action<SqliteCommand> prepare)
    {
        using var transaction = _connection.BeginTransaction();
        using (var change = _connection.CreateCommand())
        {
            change.Transaction = transaction;
            prepare(change);
            change.ExecuteNonQuery();
        }

        using (var version = _connection.CreateCommand())
        {
            version.Transaction = transaction;
            version.CommandText = "INSERT OR REPLACE INTO cluster (key, value) VALUES ('resourceVersion', $v)";
            version.Parameters.AddWithValue("$v", resourceVersion.ToString(CultureInfo.InvariantCulture));
            version.ExecuteNonQuery();
        }

        transaction.Commit();
    }
}
