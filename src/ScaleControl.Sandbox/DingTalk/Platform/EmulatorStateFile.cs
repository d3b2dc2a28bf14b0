using Microsoft.Data.Sqlite;
using ScaleControl.Sandbox.Kubernetes.Storage;

namespace ScaleControl.Sandbox.DingTalk.Platform;

/// <summary>
/// The emulator's cards and messages on disk, beside the sandbox cluster's state: one SQLite file
/// (<c>dingtalk.db</c>) with a row per card and per message, each written (WAL, committed) before the request that
/// changed it is answered, so a restart — even after <c>kill -9</c> — finds the cards the product's proposals point
/// at, with their buttons, versions and taps, and the chat history. Without
/// <see cref="DingTalkSandboxOptions.StateDirectory"/> nothing is kept (tests, the emulator on its own).
/// </summary>
public sealed class EmulatorStateFile : IDisposable
{
    public const string FileName = "dingtalk.db";

    private readonly SqliteConnection? _connection;
    private readonly Lock _lock = new();

    public EmulatorStateFile(DingTalkSandboxOptions options)
    {
        if (options.StateDirectory is not { Length: > 0 } directory)
        {
            return;
        }

        _connection = SandboxDatabase.Open(directory, FileName, options.ResetState, """
            CREATE TABLE IF NOT EXISTS cards (app TEXT NOT NULL, out_track_id TEXT NOT NULL, body TEXT NOT NULL, PRIMARY KEY (app, out_track_id));
            CREATE TABLE IF NOT EXISTS messages (seq INTEGER PRIMARY KEY AUTOINCREMENT, id TEXT NOT NULL UNIQUE, body TEXT NOT NULL);
            """);
    }

    public bool IsDurable => _connection is not null;

    public IReadOnlyList<string> Cards => Select("SELECT body FROM cards");

    /// <summary>Messages in the order they were first written.</summary>
    public IReadOnlyList<string> Messages => Select("SELECT body FROM messages ORDER BY seq");

    public void PutCard(string app, string outTrackId, string body) => Write(
        "INSERT INTO cards (app, out_track_id, body) VALUES ($a, $k, $b) ON CONFLICT (app, out_track_id) DO UPDATE SET body = excluded.body",
        ("$a", app), ("$k", outTrackId), ("$b", body));

    /// <summary>Adds a message, or replaces its body keeping its place (read, recalled).</summary>
    public void PutMessage(string id, string body) => Write(
        "INSERT INTO messages (id, body) VALUES ($k, $b) ON CONFLICT (id) DO UPDATE SET body = excluded.body",
        ("$k", id), ("$b", body));

    public void Dispose()
    {
        lock (_lock)
        {
            _connection?.Dispose();
        }
    }

    private List<string> Select(string sql)
    {
        var rows = new List<string>();
        lock (_lock)
        {
            if (_connection is null)
            {
                return rows;
            }

            using var command = _connection.CreateCommand();
            command.CommandText = sql;
            using var reader = command.ExecuteReader();
            while (reader.Read())
            {
                rows.Add(reader.GetString(0));
            }
        }

        return rows;
    }

    private void Write(string sql, params (string Name, string Value)[] parameters)
    {
        lock (_lock)
        {
            if (_connection is null)
            {
                return;
            }

            using var command = _connection.CreateCommand();
            command.CommandText = sql;
            foreach (var (name, value) in parameters)
            {
                command.Parameters.AddWithValue(name, value);
            }

            command.ExecuteNonQuery();
        }
    }
}
