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

    public Task<IReadOnlyDictionary<string, long>> GetSegmentSizesAsync(CancellationToken cancellationToken = default) =>
        connections.WithConnectionAsync<IReadOnlyDictionary<string, long>>(async connection =>
        {
            var rows = await connection.QueryAsync<(string Segment, long Members)>(new CommandDefinition(
                "SELECT segment, members FROM segment_sizes", cancellationToken: cancellationToken)).ConfigureAwait(false);
            return rows.ToDictionary(row => row.Segment, row => row.Members, StringComparer.Ordinal);
        }, cancellationToken);

    public Task<IReadOnlyList<StoredSegmentSizeChange>> GetSegmentSizeHistoryAsync(string segment, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(segment);
        return connections.WithConnectionAsync<IReadOnlyList<StoredSegmentSizeChange>>(async connection =>
        {
            var rows = await connection.QueryAsync<(DateTime Hour, long Entered, long Exited)>(new CommandDefinition(
                "SELECT hour, entered, exited FROM segment_size_history WHERE segment = @Segment ORDER BY hour",
                new { Segment = segment }, cancellationToken: cancellationToken)).ConfigureAwait(false);
            return [.. rows.Select(row => new StoredSegmentSizeChange(segment, new DateTimeOffset(DateTime.SpecifyKind(row.Hour, DateTimeKind.Utc)), row.Entered, row.Exited))];
        }, cancellationToken);
    }
}
