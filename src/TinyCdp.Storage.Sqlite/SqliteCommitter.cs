using Microsoft.Data.Sqlite;
using static TinyCdp.Storage.Sqlite.SqliteFailures;

namespace TinyCdp.Storage.Sqlite;

/// <summary>
/// Commits a <see cref="StoreTransaction"/> on the write connection: one <c>BEGIN IMMEDIATE</c> transaction
/// that walks the sections (<see cref="SqliteCommitStatements"/>) and commits, or rolls back whole.
/// </summary>
internal sealed class SqliteCommitter(SqliteConnections connections)
{
    public async Task<IReadOnlyList<long>> CommitAsync(StoreTransaction transaction, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(transaction);
        transaction.Validate();
        await connections.WriteGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var connection = await connections.OpenWriteAsync(cancellationToken).ConfigureAwait(false);
            using var sqliteTransaction = connection.BeginTransaction();
            try
            {
                cancellationToken.ThrowIfCancellationRequested();
                var statements = new SqliteCommitStatements(connection, cancellationToken);
                transaction.Walk(statements);
                sqliteTransaction.Commit();
                return statements.Cursors;
            }
            catch (SqliteException exception) when (Unwritable(exception) is { } reason)
            {
                RollBack(sqliteTransaction);
                throw new TinyCdpException(TinyCdpErrorCode.StoreUnavailable, $"The SQLite database {reason}; nothing was stored.", exception);
            }
            catch
            {
                RollBack(sqliteTransaction);
                throw;
            }
        }
        catch (SqliteException exception) when (Unwritable(exception) is { } reason)
        {
            throw new TinyCdpException(TinyCdpErrorCode.StoreUnavailable, $"The SQLite database {reason}; nothing was stored.", exception);
        }
        finally
        {
            connections.WriteGate.Release();
        }
    }

    private static void RollBack(SqliteTransaction transaction)
    {
        try
        {
            transaction.Rollback();
        }
        catch (SqliteException)
        {
            // SQLite may have rolled back already (a full disk, an I/O error); the original failure is what matters.
        }
        catch (InvalidOperationException)
        {
            // Already completed.
        }
    }
}
