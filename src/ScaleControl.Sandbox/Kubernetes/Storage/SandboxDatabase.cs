using System.Text.Json;
using Microsoft.Data.Sqlite;

namespace ScaleControl.Sandbox.Kubernetes.Storage;

/// <summary>
/// Opens one of the sandbox's SQLite state files (the cluster's, the DingTalk emulator's) the same way: <c>--reset</c>
/// deletes the file with its WAL; WAL with synchronous=NORMAL, so a committed write survives a killed process. A file
/// SQLite cannot read, or whose pages fail its quick check (e.g. truncated), is a <see cref="SandboxStateException"/>.
/// </summary>
internal static class SandboxDatabase
{
    public static SqliteConnection Open(string directory, string fileName, bool reset, string schema)
    {
        Directory.CreateDirectory(directory);
        var path = Path.Combine(directory, fileName);
        if (reset)
        {
            foreach (var file in new[] { path, path + "-wal", path + "-shm" })
            {
                File.Delete(file);
            }
        }

        var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Pooling = false }.ToString());
        try
        {
            connection.Open();
            using var command = connection.CreateCommand();
            command.CommandText = "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;" + schema;
            command.ExecuteNonQuery();
            command.CommandText = "PRAGMA quick_check(1)";
            if (command.ExecuteScalar() is string check and not "ok")
            {
                throw new SandboxStateException(path, $"SQLite's quick check found \"{check}\"", new InvalidDataException(check));
            }

            return connection;
        }
        catch (SqliteException e)
        {
            connection.Dispose();
            throw new SandboxStateException(path, e.Message, e);
        }
        catch (SandboxStateException)
        {
            connection.Dispose();
            throw;
        }
    }

    /// <summary>A kept row's body parsed by <paramref name="parse"/>; one that is not what was written is a <see cref="SandboxStateException"/>.</summary>
    public static T ParseRow<T>(SqliteConnection connection, string row, string body, Func<string, T?> parse)
    {
        try
        {
            return parse(body) ?? throw new JsonException("null");
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException)
        {
            throw new SandboxStateException(connection.DataSource, $"the row {row} is not the JSON that was written ({e.Message})", e);
        }
    }
}
