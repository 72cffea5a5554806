using Dapper;
using static TinyCdp.Storage.Postgres.PostgresCodes;

namespace TinyCdp.Storage.Postgres;

/// <summary>Reads of profiles one part at a time, and listings of profiles, each one statement on a pooled connection.</summary>
internal sealed class PostgresProfileReader(PostgresConnections connections) : IProfileReader
{
    public Task<StoredProfile?> GetProfileAsync(Guid profileId, CancellationToken cancellationToken = default) =>
        connections.WithConnectionAsync(async connection =>
            (await connection.QuerySingleOrDefaultAsync<ProfileRow>(new CommandDefinition(
                $"SELECT {ProfileRow.Columns} FROM profiles WHERE id = @Id", new { Id = profileId }, cancellationToken: cancellationToken))
                .ConfigureAwait(false))?.ToRecord(), cancellationToken);

    public Task<IReadOnlyList<StoredEvent>> GetEventsAsync(Guid profileId, CancellationToken cancellationToken = default) =>
        connections.WithConnectionAsync<IReadOnlyList<StoredEvent>>(async connection =>
        {
            var rows = await connection.QueryAsync<EventRow>(new CommandDefinition(
                $"SELECT {EventRow.Columns} FROM events WHERE profile_id = @Id ORDER BY sequence", new { Id = profileId }, cancellationToken: cancellationToken))
                .ConfigureAwait(false);
            return [.. rows.Select(row => row.ToRecord())];
        }, cancellationToken);

    public Task<IReadOnlyList<StoredMerge>> GetMergesAsync(Guid profileId, CancellationToken cancellationToken = default) =>
        connections.WithConnectionAsync<IReadOnlyList<StoredMerge>>(async connection =>
        {
            var rows = await connection.QueryAsync<MergeRow>(new CommandDefinition(
                $"SELECT {MergeRow.Columns} FROM merges WHERE survivor = @Id ORDER BY at, id", new { Id = profileId }, cancellationToken: cancellationToken))
                .ConfigureAwait(false);
            return [.. rows.Select(row => row.ToRecord())];
        }, cancellationToken);

    public Task<IReadOnlyList<StoredMembership>> GetMembershipsAsync(Guid profileId, CancellationToken cancellationToken = default) =>
        connections.WithConnectionAsync<IReadOnlyList<StoredMembership>>(async connection =>
        {
            var rows = await connection.QueryAsync<MembershipRow>(new CommandDefinition(
                $"SELECT {MembershipRow.Columns} FROM memberships WHERE profile_id = @Id", new { Id = profileId }, cancellationToken: cancellationToken))
                .ConfigureAwait(false);
            return [.. rows.Select(row => row.ToRecord()).OrderBy(membership => membership.Segment, StringComparer.Ordinal)];
        }, cancellationToken);

    public Task<IReadOnlyList<StoredTraitValue>> GetTraitValuesAsync(Guid profileId, CancellationToken cancellationToken = default) =>
        connections.WithConnectionAsync<IReadOnlyList<StoredTraitValue>>(async connection =>
        {
            var rows = await connection.QueryAsync<TraitValueRow>(new CommandDefinition(
                $"SELECT {TraitValueRow.Columns} FROM trait_values WHERE profile_id = @Id", new { Id = profileId }, cancellationToken: cancellationToken))
                .ConfigureAwait(false);
            return [.. rows.Select(row => row.ToRecord()).OrderBy(value => value.Trait, StringComparer.Ordinal)];
        }, cancellationToken);

    public Task<IReadOnlyList<Guid>> ListProfileIdsAsync(Guid? after, int limit, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(limit);
        var sql = after is null
            ? "SELECT id FROM profiles WHERE merged_into IS NULL ORDER BY id LIMIT @Limit"
            : "SELECT id FROM profiles WHERE merged_into IS NULL AND id > @After ORDER BY id LIMIT @Limit";
        return connections.WithConnectionAsync<IReadOnlyList<Guid>>(async connection =>
            [.. await connection.QueryAsync<Guid>(new CommandDefinition(
                sql, new { After = after, Limit = (long)limit }, cancellationToken: cancellationToken)).ConfigureAwait(false)],
            cancellationToken);
    }

    public Task<IReadOnlyList<Guid>> SampleProfileIdsAsync(int limit, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(limit);
        if (limit == 0)
        {
            return Task.FromResult<IReadOnlyList<Guid>>([]);
        }

        // The live ids that follow a random pivot in the order of their random last four bytes, wrapping
        // around: two range reads of the profiles_sample index, never a scan (docs/storage.md).
        var pivot = new byte[4];
        Random.Shared.NextBytes(pivot);
        return connections.WithConnectionAsync<IReadOnlyList<Guid>>(async connection =>
        {
            var ids = (await connection.QueryAsync<Guid>(new CommandDefinition(
                "SELECT id FROM profiles WHERE merged_into IS NULL AND substring(uuid_send(id) from 13 for 4) >= @Pivot ORDER BY substring(uuid_send(id) from 13 for 4) LIMIT @Limit",
                new { Pivot = pivot, Limit = (long)limit }, cancellationToken: cancellationToken)).ConfigureAwait(false)).ToList();
            if (ids.Count < limit)
            {
                ids.AddRange(await connection.QueryAsync<Guid>(new CommandDefinition(
                    "SELECT id FROM profiles WHERE merged_into IS NULL AND substring(uuid_send(id) from 13 for 4) < @Pivot ORDER BY substring(uuid_send(id) from 13 for 4) LIMIT @Limit",
                    new { Pivot = pivot, Limit = (long)(limit - ids.Count) }, cancellationToken: cancellationToken)).ConfigureAwait(false));
            }

            return [.. ids.Order()];
        }, cancellationToken);
    }

    public Task<long> CountProfilesAsync(CancellationToken cancellationToken = default) =>
        connections.WithConnectionAsync(connection => connection.ExecuteScalarAsync<long>(new CommandDefinition(
            "SELECT COUNT(*) FROM profiles WHERE merged_into IS NULL", cancellationToken: cancellationToken)), cancellationToken);

    public Task<IReadOnlyList<StoredMembership>> ListSegmentMembersAsync(string segment, Guid? after, int limit, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(segment);
        ArgumentOutOfRangeException.ThrowIfNegative(limit);
        var sql = after is null
            ? $"SELECT {MembershipRow.Columns} FROM memberships WHERE segment = @Segment AND in_segment ORDER BY profile_id LIMIT @Limit"
            : $"SELECT {MembershipRow.Columns} FROM memberships WHERE segment = @Segment AND in_segment AND profile_id > @After ORDER BY profile_id LIMIT @Limit";
        return connections.WithConnectionAsync<IReadOnlyList<StoredMembership>>(async connection =>
        {
            var rows = await connection.QueryAsync<MembershipRow>(new CommandDefinition(
                sql, new { Segment = Text(segment), After = after, Limit = (long)limit }, cancellationToken: cancellationToken)).ConfigureAwait(false);
            return [.. rows.Select(row => row.ToRecord())];
        }, cancellationToken);
    }
}
