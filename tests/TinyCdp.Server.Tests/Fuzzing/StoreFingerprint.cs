using System.Globalization;
using System.Text;
using Microsoft.Data.Sqlite;

namespace TinyCdp.Server.Tests.Fuzzing;

/// <summary>
/// A cheap but complete test of "nothing was written": SQLite's <c>data_version</c>, read on a connection
/// of its own, changes whenever any other connection commits anything; the row counts say where.
/// </summary>
internal sealed class StoreFingerprint : IDisposable
{
    private readonly SqliteConnection _connection;
    private string[]? _tables;

    public StoreFingerprint(string databasePath)
    {
        _connection = new SqliteConnection($"Data Source={databasePath};Pooling=False");
        _connection.Open();
    }

    public string Take()
    {
        _tables ??= [.. Query("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name").Select(row => row[0])];
        var text = new StringBuilder();
        text.Append("data_version=").Append(Query("PRAGMA data_version")[0][0]);
        foreach (var table in _tables)
        {
            text.Append(CultureInfo.InvariantCulture, $" {table}={Query($"SELECT count(*) FROM \"{table}\"")[0][0]}");
        }

        return text.ToString();
    }

    public void Dispose() => _connection.Dispose();

    private List<string[]> Query(string sql)
    {
        using var command = _connection.CreateCommand();
        command.CommandText = sql;
        using var reader = command.ExecuteReader();
        var rows = new List<string[]>();
        while (reader.Read())
        {
            var row = new string[reader.FieldCount];
            for (var i = 0; i < row.Length; i++)
            {
                row[i] = Convert.ToString(reader.GetValue(i), CultureInfo.InvariantCulture) ?? "";
            }

            rows.Add(row);
        }

        return rows;
    }
}
