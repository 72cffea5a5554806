using System.Globalization;
using System.Text;
using Microsoft.Data.Sqlite;
using TinyCdp.Identity;
using static TinyCdp.Storage.Sqlite.SqliteCodes;
using static TinyCdp.Storage.StoredCodes;

namespace TinyCdp.Storage.Sqlite;

/// <summary>
/// Loads whole profiles: one command of five statements (profile rows, identifiers, events, memberships,
/// trait values) inside one read transaction, so everything comes from one committed state.
/// </summary>
/// <remarks>
/// Rows are read by position straight from the data reader: a cold profile is mostly its events, and
/// mapping them through Dapper cost more than the query.
/// </remarks>
internal sealed class SqliteProfileStateLoader(SqliteConnections connections)
{
    private const string ProfileColumns = "id, created_at, properties, property_times, merged_into, version";
    private const string EventColumns = "profile_id, sequence, message_id, kind, name, timestamp, received_at, original_timestamp, properties, traits";

    private static readonly string LoadOneSql =
        $"SELECT {ProfileColumns} FROM profiles WHERE id = $id;\n" +
        "SELECT profile_id, kind, value FROM identifiers WHERE profile_id = $id;\n" +
        $"SELECT {EventColumns} FROM events WHERE profile_id = $id ORDER BY sequence;\n" +
        "SELECT profile_id, segment, in_segment, since, updated_at FROM memberships WHERE profile_id = $id;\n" +
        "SELECT profile_id, trait, value, updated_at FROM trait_values WHERE profile_id = $id;";

    /// <summary>One command of five statements in one read transaction (one snapshot).</summary>
    public async Task<StoredProfileState?> LoadProfileStateAsync(Guid profileId, CancellationToken cancellationToken = default)
    {
        using var connection = await connections.OpenReadAsync(cancellationToken).ConfigureAwait(false);
        using var transaction = connection.BeginTransaction(deferred: true);
        using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = LoadOneSql;
        command.Parameters.Add(new SqliteParameter("$id", SqliteType.Blob) { Value = Id(profileId) });
        var states = await ReadStatesAsync(command, cancellationToken).ConfigureAwait(false);
        transaction.Commit();
        return states.GetValueOrDefault(profileId);
    }

    /// <summary>
    /// One command of five statements per 500 profiles (<c>WHERE profile_id IN (...)</c>), all in one
    /// read transaction (one snapshot).
    /// </summary>
    public async Task<IReadOnlyDictionary<Guid, StoredProfileState>> LoadProfileStatesAsync(IReadOnlyCollection<Guid> profileIds, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(profileIds);
        var states = new Dictionary<Guid, StoredProfileState>();
        if (profileIds.Count == 0)
        {
            connections.ThrowIfDisposed();
            return states;
        }

        using var connection = await connections.OpenReadAsync(cancellationToken).ConfigureAwait(false);
        using var transaction = connection.BeginTransaction(deferred: true);
        foreach (var chunk in profileIds.Distinct().Chunk(SqliteConnections.MaxInListSize))
        {
            using var command = connection.CreateCommand();
            command.Transaction = transaction;
            var names = new StringBuilder();
            for (var i = 0; i < chunk.Length; i++)
            {
                var name = string.Create(CultureInfo.InvariantCulture, $"$p{i}");
                names.Append(i == 0 ? "" : ", ").Append(name);
                command.Parameters.Add(new SqliteParameter(name, SqliteType.Blob) { Value = Id(chunk[i]) });
            }

            var list = names.ToString();
            command.CommandText =
                $"SELECT {ProfileColumns} FROM profiles WHERE id IN ({list});\n" +
                $"SELECT profile_id, kind, value FROM identifiers WHERE profile_id IN ({list});\n" +
                $"SELECT {EventColumns} FROM events WHERE profile_id IN ({list}) ORDER BY profile_id, sequence;\n" +
                $"SELECT profile_id, segment, in_segment, since, updated_at FROM memberships WHERE profile_id IN ({list});\n" +
                $"SELECT profile_id, trait, value, updated_at FROM trait_values WHERE profile_id IN ({list});";
            foreach (var (id, state) in await ReadStatesAsync(command, cancellationToken).ConfigureAwait(false))
            {
                states[id] = state;
            }
        }

        transaction.Commit();
        return states;
    }

    /// <summary>Runs a load command and assembles the states of the profiles that have a row.</summary>
    private static async Task<Dictionary<Guid, StoredProfileState>> ReadStatesAsync(SqliteCommand command, CancellationToken cancellationToken)
    {
        var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        await using (reader.ConfigureAwait(false))
        {
            var rows = new Dictionary<Guid, SqliteProfileStateBuilder>();
            while (reader.Read())
            {
                var profile = new StoredProfile(
                    ReadId(reader, 0), Instant(reader.GetInt64(1)), reader.GetString(2), reader.GetString(3),
                    reader.IsDBNull(4) ? null : ReadId(reader, 4), reader.GetInt64(5));
                rows[profile.Id] = new SqliteProfileStateBuilder(profile);
            }

            if (rows.Count == 0)
            {
                return [];
            }

            reader.NextResult();
            while (reader.Read())
            {
                if (rows.TryGetValue(ReadId(reader, 0), out var loading))
                {
                    loading.Identifiers.Add(new Identifier(ToIdentifierKind(reader.GetInt64(1)), reader.GetString(2)));
                }
            }

            reader.NextResult();
            SqliteProfileStateBuilder? current = null;
            while (reader.Read())
            {
                var profileId = ReadId(reader, 0);
                if ((current is null || current.Profile.Id != profileId) && !rows.TryGetValue(profileId, out current))
                {
                    continue;
                }

                current.Events.Add(new StoredEvent(
                    reader.GetInt64(1), reader.GetString(2), profileId, ToMessageKind(reader.GetInt64(3)), reader.GetString(4),
                    Instant(reader.GetInt64(5)), Instant(reader.GetInt64(6)), reader.IsDBNull(7) ? null : Instant(reader.GetInt64(7)),
                    reader.GetString(8), reader.IsDBNull(9) ? null : reader.GetString(9)));
            }

            reader.NextResult();
            while (reader.Read())
            {
                var profileId = ReadId(reader, 0);
                if (rows.TryGetValue(profileId, out var loading))
                {
                    loading.Memberships.Add(new StoredMembership(
                        profileId, reader.GetString(1), reader.GetInt64(2) != 0, Instant(reader.GetInt64(3)), Instant(reader.GetInt64(4))));
                }
            }

            reader.NextResult();
            while (reader.Read())
            {
                var profileId = ReadId(reader, 0);
                if (rows.TryGetValue(profileId, out var loading))
                {
                    loading.TraitValues.Add(new StoredTraitValue(profileId, reader.GetString(1), reader.GetString(2), Instant(reader.GetInt64(3))));
                }
            }

            return rows.ToDictionary(row => row.Key, row => row.Value.ToState());
        }
    }

    // GetFieldValue, not GetBytes: GetBytes opens a blob stream per call, which cost more than the rest of the row.
    private static Guid ReadId(SqliteDataReader reader, int ordinal) => Id(reader.GetFieldValue<byte[]>(ordinal));
}
