using Dapper;

namespace TinyCdp.Storage.Sqlite;

/// <summary>The change feed, read on pooled read connections.</summary>
internal sealed class SqliteChangeFeedReader(SqliteConnections connections) : IChangeFeedReader
{
    public async Task<IReadOnlyList<StoredChange>> ReadChangesAsync(long after, int limit, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(limit);
        using var connection = await connections.OpenReadAsync(cancellationToken).ConfigureAwait(false);
        var rows = await connection.QueryAsync<ChangeRow>(new CommandDefinition(
            $"SELECT {ChangeRow.Columns} FROM changes WHERE cursor > @After ORDER BY cursor LIMIT @Limit",
            new { After = after, Limit = (long)limit }, cancellationToken: cancellationToken)).ConfigureAwait(false);
        return [.. rows.Select(row => row.ToRecord())];
    }
}
