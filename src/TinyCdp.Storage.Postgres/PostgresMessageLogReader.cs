using Dapper;
using static TinyCdp.Storage.Postgres.PostgresCodes;

namespace TinyCdp.Storage.Postgres;

/// <summary>The remembered message ids and the highest event sequence, each one statement on a pooled connection.</summary>
internal sealed class PostgresMessageLogReader(PostgresConnections connections) : IMessageLogReader
{
    public Task<IReadOnlySet<string>> FindKnownMessageIdsAsync(IReadOnlyCollection<string> messageIds, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(messageIds);
        var wanted = messageIds.Where(id => id is not null).Select(Text).Distinct(StringComparer.Ordinal).ToArray();
        if (wanted.Length == 0)
        {
            connections.ThrowIfDisposed();
            return Task.FromResult<IReadOnlySet<string>>(new HashSet<string>(StringComparer.Ordinal));
        }

        return connections.WithConnectionAsync<IReadOnlySet<string>>(async connection =>
            (await connection.QueryAsync<string>(new CommandDefinition(
                "SELECT message_id FROM message_ids WHERE message_id = ANY(@Ids)", new { Ids = wanted }, cancellationToken: cancellationToken))
                .ConfigureAwait(false)).ToHashSet(StringComparer.Ordinal), cancellationToken);
    }

    public Task<long> GetLastSequenceAsync(CancellationToken cancellationToken = default) =>
        connections.WithConnectionAsync(connection => connection.ExecuteScalarAsync<long>(new CommandDefinition(
            "SELECT last FROM event_sequence WHERE id = 1", cancellationToken: cancellationToken)), cancellationToken);
}
