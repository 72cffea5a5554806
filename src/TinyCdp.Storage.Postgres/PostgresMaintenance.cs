using System.Globalization;
using Dapper;

namespace TinyCdp.Storage.Postgres;

/// <summary>The PostgreSQL store's schema migrations and its reachability check.</summary>
internal sealed class PostgresMaintenance(PostgresConnections connections, TimeSpan reachabilityTimeout) : IStoreMaintenance
{
    public Task MigrateAsync(CancellationToken cancellationToken = default) =>
        connections.WithConnectionAsync(async connection =>
        {
            var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
            await using (transaction.ConfigureAwait(false))
            {
                await connection.ExecuteAsync(new CommandDefinition(
                    "SELECT pg_advisory_xact_lock(@Key)", new { Key = connections.MigrationLockKey }, transaction, cancellationToken: cancellationToken))
                    .ConfigureAwait(false);

                // Checked first, so a role that may use but not create the schema can still migrate it.
                var schemaExists = await connection.ExecuteScalarAsync<bool>(new CommandDefinition(
                    "SELECT EXISTS (SELECT 1 FROM pg_namespace WHERE nspname = @Schema)", new { Schema = connections.Schema }, transaction,
                    cancellationToken: cancellationToken)).ConfigureAwait(false);
                if (!schemaExists)
                {
                    await connection.ExecuteAsync(new CommandDefinition(
                        $"CREATE SCHEMA \"{connections.Schema}\"", transaction: transaction, cancellationToken: cancellationToken)).ConfigureAwait(false);
                }

                await connection.ExecuteAsync(new CommandDefinition(
                    PostgresMigrations.CreateVersionTable, transaction: transaction, cancellationToken: cancellationToken)).ConfigureAwait(false);
                var applied = (await connection.QueryAsync<int>(new CommandDefinition(
                    "SELECT version FROM schema_version", transaction: transaction, cancellationToken: cancellationToken)).ConfigureAwait(false))
                    .ToHashSet();

                var known = PostgresMigrations.All[^1].Version;
                if (applied.Count > 0 && applied.Max() > known)
                {
                    throw new TinyCdpException(
                        TinyCdpErrorCode.StoreUnavailable,
                        string.Create(CultureInfo.InvariantCulture, $"The database schema is at version {applied.Max()}, newer than the {known} this version of TinyCdp knows."));
                }

                foreach (var (version, script) in PostgresMigrations.All.Where(migration => !applied.Contains(migration.Version)))
                {
                    await connection.ExecuteAsync(new CommandDefinition(script, transaction: transaction, cancellationToken: cancellationToken))
                        .ConfigureAwait(false);
                    await connection.ExecuteAsync(new CommandDefinition(
                        "INSERT INTO schema_version (version) VALUES (@Version)", new { Version = version }, transaction,
                        cancellationToken: cancellationToken)).ConfigureAwait(false);
                }

                await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
                return true;
            }
        }, cancellationToken);

    public async Task<bool> IsReachableAsync(CancellationToken cancellationToken = default)
    {
        if (connections.IsDisposed)
        {
            return false;
        }

        try
        {
            using var timeout = new CancellationTokenSource(reachabilityTimeout);
            using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
            return await connections.WithConnectionAsync(connection => connection.ExecuteScalarAsync<long>(new CommandDefinition(
                "SELECT version FROM catalog WHERE id = 1", cancellationToken: linked.Token)), linked.Token).ConfigureAwait(false) >= 0;
        }
#pragma warning disable CA1031 // Readiness answers false for whatever went wrong.
        catch (Exception)
#pragma warning restore CA1031
        {
            return false;
        }
    }
}
