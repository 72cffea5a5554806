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

    public async Task<IReadOnlyDictionary<string, long>> GetSegmentSizesAsync(CancellationToken cancellationToken = default)
    {
        using var connection = await connections.OpenReadAsync(cancellationToken).ConfigureAwait(false);
        var rows = await connection.QueryAsync<(string Segment, long Members)>(new CommandDefinition(
            "SELECT segment, members FROM segment_sizes", cancellationToken: cancellationToken)).ConfigureAwait(false);
        return rows.ToDictionary(row => row.Segment, row => row.Members, StringComparer.Ordinal);
    }

    public async Task<IReadOnlyList<StoredSegmentSizeChange>> GetSegmentSizeHistoryAsync(string segment, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(segment);
        using var connection = await connections.OpenReadAsync(cancellationToken).ConfigureAwait(false);
        var rows = await connection.QueryAsync<(long Hour, long Entered, long Exited)>(new CommandDefinition(
            "SELECT hour, entered, exited FROM segment_size_history WHERE segment = @Segment ORDER BY hour",
            new { Segment = segment }, cancellationToken: cancellationToken)).ConfigureAwait(false);
        return [.. rows.Select(row => new StoredSegmentSizeChange(segment, SqliteCodes.Instant(row.Hour), row.Entered, row.Exited))];
    }
}
