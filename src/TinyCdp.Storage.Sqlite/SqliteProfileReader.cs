using Dapper;
using static TinyCdp.Storage.Sqlite.SqliteCodes;

namespace TinyCdp.Storage.Sqlite;

/// <summary>Reads of profiles one part at a time, and listings of profiles, on pooled read connections.</summary>
internal sealed class SqliteProfileReader(SqliteConnections connections) : IProfileReader
{
    public async Task<StoredProfile?> GetProfileAsync(Guid profileId, CancellationToken cancellationToken = default)
    {
        using var connection = await connections.OpenReadAsync(cancellationToken).ConfigureAwait(false);
        var row = await connection.QuerySingleOrDefaultAsync<ProfileRow>(new CommandDefinition(
            $"SELECT {ProfileRow.Columns} FROM profiles WHERE id = @Id", new { Id = Id(profileId) }, cancellationToken: cancellationToken))
            .ConfigureAwait(false);
        return row?.ToRecord();
    }

    public async Task<IReadOnlyList<StoredEvent>> GetEventsAsync(Guid profileId, CancellationToken cancellationToken = default)
    {
        using var connection = await connections.OpenReadAsync(cancellationToken).ConfigureAwait(false);
        var rows = await connection.QueryAsync<EventRow>(new CommandDefinition(
            $"SELECT {EventRow.Columns} FROM events WHERE profile_id = @Id ORDER BY sequence",
            new { Id = Id(profileId) }, cancellationToken: cancellationToken)).ConfigureAwait(false);
        return [.. rows.Select(row => row.ToRecord())];
    }

    public async Task<IReadOnlyList<StoredMerge>> GetMergesAsync(Guid profileId, CancellationToken cancellationToken = default)
    {
        using var connection = await connections.OpenReadAsync(cancellationToken).ConfigureAwait(false);
        var rows = await connection.QueryAsync<MergeRow>(new CommandDefinition(
            $"SELECT {MergeRow.Columns} FROM merges WHERE survivor = @Id ORDER BY at, id",
            new { Id = Id(profileId) }, cancellationToken: cancellationToken)).ConfigureAwait(false);
        return [.. rows.Select(row => row.ToRecord())];
    }

    public async Task<IReadOnlyList<StoredMembership>> GetMembershipsAsync(Guid profileId, CancellationToken cancellationToken = default)
    {
        using var connection = await connections.OpenReadAsync(cancellationToken).ConfigureAwait(false);
        var rows = await connection.QueryAsync<MembershipRow>(new CommandDefinition(
            $"SELECT {MembershipRow.Columns} FROM memberships WHERE profile_id = @Id",
            new { Id = Id(profileId) }, cancellationToken: cancellationToken)).ConfigureAwait(false);
        return [.. rows.Select(row => row.ToRecord()).OrderBy(membership => membership.Segment, StringComparer.Ordinal)];
    }

    public async Task<IReadOnlyList<StoredTraitValue>> GetTraitValuesAsync(Guid profileId, CancellationToken cancellationToken = default)
    {
        using var connection = await connections.OpenReadAsync(cancellationToken).ConfigureAwait(false);
        var rows = await connection.QueryAsync<TraitValueRow>(new CommandDefinition(
            $"SELECT {TraitValueRow.Columns} FROM trait_values WHERE profile_id = @Id",
            new { Id = Id(profileId) }, cancellationToken: cancellationToken)).ConfigureAwait(false);
        return [.. rows.Select(row => row.ToRecord()).OrderBy(value => value.Trait, StringComparer.Ordinal)];
    }

    public async Task<IReadOnlyList<Guid>> ListProfileIdsAsync(Guid? after, int limit, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(limit);
        using var connection = await connections.OpenReadAsync(cancellationToken).ConfigureAwait(false);
        var sql = after is null
            ? "SELECT id FROM profiles WHERE merged_into IS NULL ORDER BY id LIMIT @Limit"
            : "SELECT id FROM profiles WHERE merged_into IS NULL AND id > @After ORDER BY id LIMIT @Limit";
        var ids = await connection.QueryAsync<byte[]>(new CommandDefinition(
            sql, new { After = Id(after), Limit = (long)limit }, cancellationToken: cancellationToken)).ConfigureAwait(false);
        return [.. ids.Select(Id)];
    }

    public async Task<IReadOnlyList<Guid>> SampleProfileIdsAsync(int limit, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(limit);
        if (limit == 0)
        {
            return [];
        }

        // The live ids that follow a random pivot in the order of their random last four bytes, wrapping
        // around: two range reads of the profiles_sample index, never a scan (docs/storage.md).
        using var connection = await connections.OpenReadAsync(cancellationToken).ConfigureAwait(false);
        var pivot = new byte[4];
        Random.Shared.NextBytes(pivot);
        var ids = (await connection.QueryAsync<byte[]>(new CommandDefinition(
            "SELECT id FROM profiles WHERE merged_into IS NULL AND substr(id, 13, 4) >= @Pivot ORDER BY substr(id, 13, 4) LIMIT @Limit",
            new { Pivot = pivot, Limit = (long)limit }, cancellationToken: cancellationToken)).ConfigureAwait(false)).Select(Id).ToList();
        if (ids.Count < limit)
        {
            ids.AddRange((await connection.QueryAsync<byte[]>(new CommandDefinition(
                "SELECT id FROM profiles WHERE merged_into IS NULL AND substr(id, 13, 4) < @Pivot ORDER BY substr(id, 13, 4) LIMIT @Limit",
                new { Pivot = pivot, Limit = (long)(limit - ids.Count) }, cancellationToken: cancellationToken)).ConfigureAwait(false)).Select(Id));
        }

        return [.. ids.Order()];
    }

    public async Task<long> CountProfilesAsync(CancellationToken cancellationToken = default)
    {
        using var connection = await connections.OpenReadAsync(cancellationToken).ConfigureAwait(false);
        return await connection.ExecuteScalarAsync<long>(new CommandDefinition(
            "SELECT COUNT(*) FROM profiles WHERE merged_into IS NULL", cancellationToken: cancellationToken)).ConfigureAwait(false);
    }

    public async Task<IReadOnlyList<StoredMembership>> ListSegmentMembersAsync(string segment, Guid? after, int limit, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(segment);
        ArgumentOutOfRangeException.ThrowIfNegative(limit);
        using var connection = await connections.OpenReadAsync(cancellationToken).ConfigureAwait(false);
        var sql = after is null
            ? $"SELECT {MembershipRow.Columns} FROM memberships WHERE segment = @Segment AND in_segment = 1 ORDER BY profile_id LIMIT @Limit"
            : $"SELECT {MembershipRow.Columns} FROM memberships WHERE segment = @Segment AND in_segment = 1 AND profile_id > @After ORDER BY profile_id LIMIT @Limit";
        var rows = await connection.QueryAsync<MembershipRow>(new CommandDefinition(
            sql, new { Segment = segment, After = Id(after), Limit = (long)limit }, cancellationToken: cancellationToken)).ConfigureAwait(false);
        return [.. rows.Select(row => row.ToRecord())];
    }
}
