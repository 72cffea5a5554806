using System.Globalization;
using Dapper;
using Microsoft.Data.Sqlite;
using static TinyCdp.Storage.Sqlite.SqliteFailures;

namespace TinyCdp.Storage.Sqlite;

/// <summary>The SQLite store's schema migrations and its reachability check.</summary>
internal sealed class SqliteMaintenance(SqliteConnections connections) : IStoreMaintenance
{
    public async Task MigrateAsync(CancellationToken cancellationToken = default)
    {
        await connections.WriteGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var connection = await connections.OpenWriteAsync(cancellationToken).ConfigureAwait(false);
            await connection.ExecuteAsync(new CommandDefinition(SqliteMigrations.CreateVersionTable, cancellationToken: cancellationToken))
                .ConfigureAwait(false);

            var known = SqliteMigrations.All[^1].Version;
            var current = await connection.ExecuteScalarAsync<long>(
                new CommandDefinition("SELECT COALESCE(MAX(version), 0) FROM schema_version", cancellationToken: cancellationToken))
                .ConfigureAwait(false);
            if (current > known)
            {
                throw new TinyCdpException(
                    TinyCdpErrorCode.StoreUnavailable,
                    string.Create(CultureInfo.InvariantCulture, $"The database schema is at version {current}, newer than the {known} this version of TinyCdp knows."));
            }

            foreach (var (version, script) in SqliteMigrations.All)
            {
                using var transaction = connection.BeginTransaction();
                var applied = await connection.ExecuteScalarAsync<long>(new CommandDefinition(
                    "SELECT COUNT(*) FROM schema_version WHERE version = @Version", new { Version = (long)version }, transaction,
                    cancellationToken: cancellationToken)).ConfigureAwait(false);
                if (applied != 0)
                {
                    continue;
                }

                await connection.ExecuteAsync(new CommandDefinition(script, transaction: transaction, cancellationToken: cancellationToken))
                    .ConfigureAwait(false);
                await connection.ExecuteAsync(new CommandDefinition(
                    "INSERT INTO schema_version (version, applied_at) VALUES (@Version, CAST(ROUND((julianday('now') - 2440587.5) * 86400000) AS INTEGER))",
                    new { Version = (long)version }, transaction, cancellationToken: cancellationToken)).ConfigureAwait(false);
                transaction.Commit();
            }
        }
        catch (SqliteException exception) when (Unwritable(exception) is { } reason)
        {
            throw new TinyCdpException(TinyCdpErrorCode.StoreUnavailable, $"The SQLite database {reason}.", exception);
        }
        finally
        {
            connections.WriteGate.Release();
        }
    }

    public async Task<bool> IsReachableAsync(CancellationToken cancellationToken = default)
    {
        if (connections.IsDisposed)
        {
            return false;
        }

        try
        {
            using var connection = await connections.OpenReadAsync(cancellationToken).ConfigureAwait(false);
            await connection.ExecuteScalarAsync<long>(new CommandDefinition("SELECT version FROM catalog WHERE id = 1", cancellationToken: cancellationToken))
                .ConfigureAwait(false);
            return true;
        }
        catch (Exception exception) when (exception is SqliteException or ObjectDisposedException or InvalidOperationException)
        {
            return false;
        }
    }
}
