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

        if (File.Exists(path))
        {
            CheckReadable(path);
        }

        var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Pooling = false }.ToString());
        try
        {
            connection.Open();
            using var command = connection.CreateCommand();
            command.CommandText = "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;" + schema;
            command.ExecuteNonQuery();
            return connection;
        }
        catch (SqliteException e)
        {
            connection.Dispose();
            throw new SandboxStateException(path, e.Message, e);
        }
    }

    // Read-only, so a damaged file is left exactly as it was (a read-write connection would checkpoint its WAL into it on
    // close). Only damage is reported here (SQLITE_CORRUPT, SQLITE_NOTADB, a failed check); anything else, e.g. a WAL a
    // read-only connection may not recover after a kill -9, is left to the read-write open.
    private static void CheckReadable(string path)
    {
        const int Corrupt = 11, NotADatabase = 26;
        using var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Mode = SqliteOpenMode.ReadOnly, Pooling = false }.ToString());
        string? check;
        try
        {
            connection.Open();
            using var command = connection.CreateCommand();
            command.CommandText = "PRAGMA quick_check(1)";
            check = command.ExecuteScalar() as string;
        }
        catch (SqliteException e) when (e.SqliteErrorCode is Corrupt or NotADatabase)
        {
            throw new SandboxStateException(path, e.Message, e);
        }
        catch (SqliteException)
        {
            return;
        }

        if (check is not "ok")
        {
            throw new SandboxStateException(path, $"SQLite's quick check found \"{check}\"", new InvalidDataException(check));
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
