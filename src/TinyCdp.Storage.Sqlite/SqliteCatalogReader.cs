using Dapper;
using TinyCdp.Definitions;
using static TinyCdp.Storage.StoredCodes;

namespace TinyCdp.Storage.Sqlite;

/// <summary>The definitions, the catalog version and its history, read on pooled read connections.</summary>
internal sealed class SqliteCatalogReader(SqliteConnections connections) : ICatalogReader
{
    public async Task<(IReadOnlyList<StoredDefinition> Definitions, long Version)> GetDefinitionsAsync(CancellationToken cancellationToken = default)
    {
        using var connection = await connections.OpenReadAsync(cancellationToken).ConfigureAwait(false);
        using var transaction = connection.BeginTransaction(deferred: true);
        var rows = await connection.QueryAsync<DefinitionRow>(new CommandDefinition(
            $"SELECT {DefinitionRow.Columns} FROM definitions", transaction: transaction, cancellationToken: cancellationToken)).ConfigureAwait(false);
        var version = await connection.ExecuteScalarAsync<long>(new CommandDefinition(
            "SELECT version FROM catalog WHERE id = 1", transaction: transaction, cancellationToken: cancellationToken)).ConfigureAwait(false);
        transaction.Commit();
        IReadOnlyList<StoredDefinition> definitions =
            [.. rows.Select(row => row.ToRecord()).OrderBy(definition => definition.Kind).ThenBy(definition => definition.Key, StringComparer.Ordinal)];
        return (definitions, version);
    }

    public async Task<IReadOnlyList<StoredDefinitionChange>> GetDefinitionHistoryAsync(DefinitionKind? kind, string? key, int limit, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(limit);
        using var connection = await connections.OpenReadAsync(cancellationToken).ConfigureAwait(false);
        var filters = (kind is null ? "" : " AND kind = @Kind") + (key is null ? "" : " AND key = @Key");
        var rows = await connection.QueryAsync<DefinitionChangeRow>(new CommandDefinition(
            $"SELECT {DefinitionChangeRow.Columns} FROM definition_history WHERE 1 = 1{filters} ORDER BY version DESC, id DESC LIMIT @Limit",
            new { Kind = Code(kind), Key = key, Limit = (long)limit }, cancellationToken: cancellationToken)).ConfigureAwait(false);
        return [.. rows.Select(row => row.ToRecord())];
    }
}
