using Microsoft.Data.Sqlite;

namespace ScaleControl.Sandbox.Kubernetes.Storage;

/// <summary>
/// Opens one of the sandbox's SQLite state files (the cluster's, the DingTalk emulator's) the same way: <c>--reset</c>
/// deletes the file with its WAL; WAL with synchronous=NORMAL, so a committed write survives a killed process.
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
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;" + schema;
        command.ExecuteNonQuery();
        return connection;
    }
}
