using Dapper;
using TinyCdp.Identity;
using static TinyCdp.Storage.Sqlite.SqliteCodes;
using static TinyCdp.Storage.StoredCodes;

namespace TinyCdp.Storage.Sqlite;

/// <summary>Reads of identifiers (who owns them, which are suppressed, a profile's, a prefix search) on pooled read connections.</summary>
internal sealed class SqliteIdentityReader(SqliteConnections connections) : IIdentityReader
{
    public async Task<IReadOnlyDictionary<Identifier, Guid>> FindProfilesAsync(IReadOnlyCollection<Identifier> identifiers, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(identifiers);
        var found = new Dictionary<Identifier, Guid>();
        if (identifiers.Count == 0)
        {
            return found;
        }

        using var connection = await connections.OpenReadAsync(cancellationToken).ConfigureAwait(false);
        foreach (var (kind, chunk) in ChunkByKind(identifiers))
        {
            var rows = await connection.QueryAsync<IdentifierRow>(new CommandDefinition(
                "SELECT kind AS Kind, value AS Value, profile_id AS ProfileId FROM identifiers WHERE kind = @Kind AND value IN @Values",
                new { Kind = Code(kind), Values = chunk }, cancellationToken: cancellationToken)).ConfigureAwait(false);
            foreach (var row in rows)
            {
                found[row.ToIdentifier()] = Id(row.ProfileId);
            }
        }

        return found;
    }

    public async Task<IReadOnlySet<Identifier>> FindSuppressedAsync(IReadOnlyCollection<Identifier> identifiers, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(identifiers);
        var found = new HashSet<Identifier>();
        if (identifiers.Count == 0)
        {
            return found;
        }

        using var connection = await connections.OpenReadAsync(cancellationToken).ConfigureAwait(false);
        foreach (var (kind, chunk) in ChunkByKind(identifiers))
        {
            var values = await connection.QueryAsync<string>(new CommandDefinition(
                "SELECT value FROM suppressions WHERE kind = @Kind AND value IN @Values",
                new { Kind = Code(kind), Values = chunk }, cancellationToken: cancellationToken)).ConfigureAwait(false);
            found.UnionWith(values.Select(value => new Identifier(kind, value)));
        }

        return found;
    }

    public async Task<IReadOnlyList<Identifier>> GetIdentifiersAsync(Guid profileId, CancellationToken cancellationToken = default)
    {
        using var connection = await connections.OpenReadAsync(cancellationToken).ConfigureAwait(false);
        var rows = await connection.QueryAsync<IdentifierRow>(new CommandDefinition(
            "SELECT kind AS Kind, value AS Value, profile_id AS ProfileId FROM identifiers WHERE profile_id = @Id",
            new { Id = Id(profileId) }, cancellationToken: cancellationToken)).ConfigureAwait(false);
        return [.. rows.Select(row => row.ToIdentifier()).OrderBy(identifier => identifier.Kind).ThenBy(identifier => identifier.Value, StringComparer.Ordinal)];
    }

    public async Task<IReadOnlyList<Guid>> SearchProfilesAsync(string prefix, int limit, int offset, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(prefix);
        ArgumentOutOfRangeException.ThrowIfNegative(limit);
        ArgumentOutOfRangeException.ThrowIfNegative(offset);
        using var connection = await connections.OpenReadAsync(cancellationToken).ConfigureAwait(false);

        // A range on the (kind, value) primary key: values from the prefix up to the prefix followed by the highest character.
        var rows = await connection.QueryAsync<byte[]>(new CommandDefinition(
            "SELECT DISTINCT i.profile_id FROM identifiers i JOIN profiles p ON p.id = i.profile_id AND p.merged_into IS NULL " +
            "WHERE i.kind IN (@UserId, @AnonymousId) AND i.value >= @From AND i.value < @To ORDER BY i.profile_id LIMIT @Limit OFFSET @Offset",
            new
            {
                UserId = Code(IdentifierKind.UserId),
                AnonymousId = Code(IdentifierKind.AnonymousId),
                From = prefix,
                To = prefix + "\U0010FFFF",
                Limit = (long)limit,
                Offset = (long)offset,
            },
            cancellationToken: cancellationToken)).ConfigureAwait(false);
        return [.. rows.Select(bytes => new Guid(bytes, bigEndian: true))];
    }

    private static IEnumerable<(IdentifierKind Kind, string[] Values)> ChunkByKind(IEnumerable<Identifier> identifiers) =>
        identifiers
            .Where(identifier => identifier.Value is not null)
            .Distinct()
            .GroupBy(identifier => identifier.Kind)
            .SelectMany(group => group.Select(identifier => identifier.Value).Chunk(SqliteConnections.MaxInListSize).Select(chunk => (group.Key, chunk)));
}
