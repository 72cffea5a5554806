using Dapper;

namespace TinyCdp.Storage.Postgres;

/// <summary>
/// Loads whole profiles in one round trip: one command of five SELECTs (profile rows, identifiers, events,
/// memberships, trait values) between <c>BEGIN ISOLATION LEVEL REPEATABLE READ</c> and <c>COMMIT</c>, so all
/// five read one snapshot (under the default READ COMMITTED each statement would take its own).
/// </summary>
internal sealed class PostgresProfileStateLoader(PostgresConnections connections)
{
    private static readonly string LoadStatesSql =
        "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY;\n" +
        $"SELECT {ProfileRow.Columns} FROM profiles WHERE id = ANY(@Ids);\n" +
        $"SELECT {IdentifierRow.Columns} FROM identifiers WHERE profile_id = ANY(@Ids);\n" +
        $"SELECT {EventRow.Columns} FROM events WHERE profile_id = ANY(@Ids) ORDER BY profile_id, sequence;\n" +
        $"SELECT {MembershipRow.Columns} FROM memberships WHERE profile_id = ANY(@Ids);\n" +
        $"SELECT {TraitValueRow.Columns} FROM trait_values WHERE profile_id = ANY(@Ids);\n" +
        "COMMIT;";

    /// <summary>One round trip; one snapshot.</summary>
    public async Task<StoredProfileState?> LoadProfileStateAsync(Guid profileId, CancellationToken cancellationToken = default) =>
        (await LoadProfileStatesAsync([profileId], cancellationToken).ConfigureAwait(false)).GetValueOrDefault(profileId);

    /// <summary>One round trip (<c>WHERE profile_id = ANY(@Ids)</c>); one snapshot.</summary>
    public Task<IReadOnlyDictionary<Guid, StoredProfileState>> LoadProfileStatesAsync(IReadOnlyCollection<Guid> profileIds, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(profileIds);
        var ids = profileIds.Distinct().ToArray();
        if (ids.Length == 0)
        {
            connections.ThrowIfDisposed();
            return Task.FromResult<IReadOnlyDictionary<Guid, StoredProfileState>>(new Dictionary<Guid, StoredProfileState>());
        }

        return connections.WithConnectionAsync<IReadOnlyDictionary<Guid, StoredProfileState>>(async connection =>
        {
            var grid = await connection.QueryMultipleAsync(new CommandDefinition(
                LoadStatesSql, new { Ids = ids }, cancellationToken: cancellationToken)).ConfigureAwait(false);
            await using (grid.ConfigureAwait(false))
            {
                var profiles = (await grid.ReadAsync<ProfileRow>().ConfigureAwait(false)).Select(row => row.ToRecord()).ToList();
                var identifiers = (await grid.ReadAsync<IdentifierRow>().ConfigureAwait(false)).ToLookup(row => row.ProfileId);
                var events = (await grid.ReadAsync<EventRow>().ConfigureAwait(false)).ToLookup(row => row.ProfileId);
                var memberships = (await grid.ReadAsync<MembershipRow>().ConfigureAwait(false)).ToLookup(row => row.ProfileId);
                var values = (await grid.ReadAsync<TraitValueRow>().ConfigureAwait(false)).ToLookup(row => row.ProfileId);
                return profiles.ToDictionary(profile => profile.Id, profile => new StoredProfileState(
                    profile,
                    [.. identifiers[profile.Id].Select(row => row.ToIdentifier())
                        .OrderBy(identifier => identifier.Kind).ThenBy(identifier => identifier.Value, StringComparer.Ordinal)],
                    [.. events[profile.Id].Select(row => row.ToRecord())],
                    [.. memberships[profile.Id].Select(row => row.ToRecord()).OrderBy(membership => membership.Segment, StringComparer.Ordinal)],
                    [.. values[profile.Id].Select(row => row.ToRecord()).OrderBy(value => value.Trait, StringComparer.Ordinal)]));
            }
        }, cancellationToken);
    }
}
