using Dapper;
using TinyCdp.Identity;
using static TinyCdp.Storage.Postgres.PostgresCodes;
using static TinyCdp.Storage.StoredCodes;

namespace TinyCdp.Storage.Postgres;

/// <summary>Reads of identifiers (who owns them, which are suppressed, a profile's, a prefix search), each one statement on a pooled connection.</summary>
internal sealed class PostgresIdentityReader(PostgresConnections connections) : IIdentityReader
{
    public Task<IReadOnlyDictionary<Identifier, Guid>> FindProfilesAsync(IReadOnlyCollection<Identifier> identifiers, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(identifiers);
        var (kinds, values) = KindsAndValues(identifiers);
        if (kinds.Length == 0)
        {
            connections.ThrowIfDisposed();
            return Task.FromResult<IReadOnlyDictionary<Identifier, Guid>>(new Dictionary<Identifier, Guid>());
        }

        return connections.WithConnectionAsync<IReadOnlyDictionary<Identifier, Guid>>(async connection =>
        {
            var rows = await connection.QueryAsync<IdentifierRow>(new CommandDefinition(
                $"SELECT {IdentifierRow.Columns} FROM identifiers JOIN unnest(@Kinds, @Values) AS wanted (kind, value) USING (kind, value)",
                new { Kinds = kinds, Values = values }, cancellationToken: cancellationToken)).ConfigureAwait(false);
            return rows.ToDictionary(row => row.ToIdentifier(), row => row.ProfileId);
        }, cancellationToken);
    }

    public Task<IReadOnlySet<Identifier>> FindSuppressedAsync(IReadOnlyCollection<Identifier> identifiers, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(identifiers);
        var (kinds, values) = KindsAndValues(identifiers);
        if (kinds.Length == 0)
        {
            connections.ThrowIfDisposed();
            return Task.FromResult<IReadOnlySet<Identifier>>(new HashSet<Identifier>());
        }

        return connections.WithConnectionAsync<IReadOnlySet<Identifier>>(async connection =>
        {
            var rows = await connection.QueryAsync<IdentifierRow>(new CommandDefinition(
                "SELECT kind AS Kind, value AS Value FROM suppressions JOIN unnest(@Kinds, @Values) AS wanted (kind, value) USING (kind, value)",
                new { Kinds = kinds, Values = values }, cancellationToken: cancellationToken)).ConfigureAwait(false);
            return rows.Select(row => row.ToIdentifier()).ToHashSet();
        }, cancellationToken);
    }

    public Task<IReadOnlyList<Identifier>> GetIdentifiersAsync(Guid profileId, CancellationToken cancellationToken = default) =>
        connections.WithConnectionAsync<IReadOnlyList<Identifier>>(async connection =>
        {
            var rows = await connection.QueryAsync<IdentifierRow>(new CommandDefinition(
                $"SELECT {IdentifierRow.Columns} FROM identifiers WHERE profile_id = @Id", new { Id = profileId }, cancellationToken: cancellationToken))
                .ConfigureAwait(false);
            return [.. rows.Select(row => row.ToIdentifier()).OrderBy(identifier => identifier.Kind).ThenBy(identifier => identifier.Value, StringComparer.Ordinal)];
        }, cancellationToken);

    public Task<IReadOnlyList<Guid>> SearchProfilesAsync(string prefix, int limit, int offset, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(prefix);
        ArgumentOutOfRangeException.ThrowIfNegative(limit);
        ArgumentOutOfRangeException.ThrowIfNegative(offset);

        // ^@ (starts with) on a "C"-collated key: PostgreSQL turns it into a range on the (kind, value) primary key.
        return connections.WithConnectionAsync<IReadOnlyList<Guid>>(async connection =>
            [.. await connection.QueryAsync<Guid>(new CommandDefinition(
                "SELECT DISTINCT i.profile_id FROM identifiers i JOIN profiles p ON p.id = i.profile_id AND p.merged_into IS NULL " +
                "WHERE i.kind IN (@UserId, @AnonymousId) AND i.value ^@ @Prefix ORDER BY i.profile_id LIMIT @Limit OFFSET @Offset",
                new
                {
                    UserId = Code(IdentifierKind.UserId),
                    AnonymousId = Code(IdentifierKind.AnonymousId),
                    Prefix = Text(prefix),
                    Limit = (long)limit,
                    Offset = (long)offset,
                },
                cancellationToken: cancellationToken)).ConfigureAwait(false)],
            cancellationToken);
    }

    private static (short[] Kinds, string[] Values) KindsAndValues(IEnumerable<Identifier> identifiers)
    {
        var distinct = identifiers.Where(identifier => identifier.Value is not null).Distinct().ToList();
        return ([.. distinct.Select(identifier => Code(identifier.Kind))], [.. distinct.Select(identifier => Text(identifier.Value))]);
    }
}
