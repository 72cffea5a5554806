using Dapper;
using TinyCdp.Definitions;
using static TinyCdp.Storage.Postgres.PostgresCodes;
using static TinyCdp.Storage.StoredCodes;

namespace TinyCdp.Storage.Postgres;

/// <summary>The definitions, the catalog version and its history, each one statement on a pooled connection.</summary>
internal sealed class PostgresCatalogReader(PostgresConnections connections) : ICatalogReader
{
    public Task<(IReadOnlyList<StoredDefinition> Definitions, long Version)> GetDefinitionsAsync(CancellationToken cancellationToken = default) =>
        connections.WithConnectionAsync<(IReadOnlyList<StoredDefinition>, long)>(async connection =>
        {
            var rows = (await connection.QueryAsync<CatalogRow>(new CommandDefinition(CatalogRow.Query, cancellationToken: cancellationToken))
                .ConfigureAwait(false)).ToList();
            IReadOnlyList<StoredDefinition> definitions =
                [.. rows.Select(row => row.ToRecord()).OfType<StoredDefinition>()
                    .OrderBy(definition => definition.Kind).ThenBy(definition => definition.Key, StringComparer.Ordinal)];
            return (definitions, rows.Count > 0 ? rows[0].CatalogVersion : 0);
        }, cancellationToken);

    public Task<IReadOnlyList<StoredDefinitionChange>> GetDefinitionHistoryAsync(DefinitionKind? kind, string? key, int limit, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(limit);
        var filters = (kind is null ? "" : " AND kind = @Kind") + (key is null ? "" : " AND key = @Key");
        var kindCode = Code(kind);
        return connections.WithConnectionAsync<IReadOnlyList<StoredDefinitionChange>>(async connection =>
        {
            var rows = await connection.QueryAsync<DefinitionChangeRow>(new CommandDefinition(
                $"SELECT {DefinitionChangeRow.Columns} FROM definition_history WHERE true{filters} ORDER BY version DESC, id DESC LIMIT @Limit",
                new { Kind = kindCode, Key = NullableText(key), Limit = (long)limit }, cancellationToken: cancellationToken)).ConfigureAwait(false);
            return [.. rows.Select(row => row.ToRecord())];
        }, cancellationToken);
    }
}
