using Dapper;

namespace TinyCdp.Storage.Postgres;

/// <summary>The API keys, read in one statement on a pooled connection.</summary>
internal sealed class PostgresApiKeyReader(PostgresConnections connections) : IApiKeyReader
{
    public Task<IReadOnlyList<StoredApiKey>> GetApiKeysAsync(CancellationToken cancellationToken = default) =>
        connections.WithConnectionAsync<IReadOnlyList<StoredApiKey>>(async connection =>
        {
            var rows = await connection.QueryAsync<ApiKeyRow>(new CommandDefinition(
                $"SELECT {ApiKeyRow.Columns} FROM api_keys", cancellationToken: cancellationToken)).ConfigureAwait(false);
            return [.. rows.Select(row => row.ToRecord()).OrderBy(key => key.Id, StringComparer.Ordinal)];
        }, cancellationToken);
}
