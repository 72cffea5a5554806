using Dapper;

namespace TinyCdp.Storage.Sqlite;

/// <summary>The API keys, read on pooled read connections.</summary>
internal sealed class SqliteApiKeyReader(SqliteConnections connections) : IApiKeyReader
{
    public async Task<IReadOnlyList<StoredApiKey>> GetApiKeysAsync(CancellationToken cancellationToken = default)
    {
        using var connection = await connections.OpenReadAsync(cancellationToken).ConfigureAwait(false);
        var rows = await connection.QueryAsync<ApiKeyRow>(new CommandDefinition(
            $"SELECT {ApiKeyRow.Columns} FROM api_keys ORDER BY id", cancellationToken: cancellationToken)).ConfigureAwait(false);
        return [.. rows.Select(row => row.ToRecord())];
    }
}
