using Dapper;

namespace TinyCdp.Storage.Sqlite;

/// <summary>The remembered message ids and the highest event sequence, read on pooled read connections.</summary>
internal sealed class SqliteMessageLogReader(SqliteConnections connections) : IMessageLogReader
{
    public async Task<IReadOnlySet<string>> FindKnownMessageIdsAsync(IReadOnlyCollection<string> messageIds, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(messageIds);
        var known = new HashSet<string>(StringComparer.Ordinal);
        if (messageIds.Count == 0)
        {
            return known;
        }

        using var connection = await connections.OpenReadAsync(cancellationToken).ConfigureAwait(false);
        foreach (var chunk in messageIds.Where(id => id is not null).Distinct(StringComparer.Ordinal).Chunk(SqliteConnections.MaxInListSize))
        {
            var found = await connection.QueryAsync<string>(new CommandDefinition(
                "SELECT message_id FROM message_ids WHERE message_id IN @Ids", new { Ids = chunk }, cancellationToken: cancellationToken))
                .ConfigureAwait(false);
            known.UnionWith(found);
        }

        return known;
    }

    public async Task<long> GetLastSequenceAsync(CancellationToken cancellationToken = default)
    {
        using var connection = await connections.OpenReadAsync(cancellationToken).ConfigureAwait(false);
        return await connection.ExecuteScalarAsync<long>(new CommandDefinition(
            "SELECT last FROM event_sequence WHERE id = 1", cancellationToken: cancellationToken)).ConfigureAwait(false);
    }
}
