using Dapper;

namespace TinyCdp.Storage.Postgres;

/// <summary>The change feed, read in one statement on a pooled connection.</summary>
internal sealed class PostgresChangeFeedReader(PostgresConnections connections) : IChangeFeedReader
{
    public Task<IReadOnlyList<StoredChange>> ReadChangesAsync(long after, int limit, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(limit);
        return connections.WithConnectionAsync<IReadOnlyList<StoredChange>>(async connection =>
        {
            var rows = await connection.QueryAsync<ChangeRow>(new CommandDefinition(
                $"SELECT {ChangeRow.Columns} FROM changes WHERE cursor > @After ORDER BY cursor LIMIT @Limit",
                new { After = after, Limit = (long)limit }, cancellationToken: cancellationToken)).ConfigureAwait(false);
            return [.. rows.Select(row => row.ToRecord())];
        }, cancellationToken);
    }
}
