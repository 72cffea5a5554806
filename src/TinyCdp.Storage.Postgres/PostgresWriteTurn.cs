using Npgsql;

namespace TinyCdp.Storage.Postgres;

/// <summary>
/// An open write turn: a pooled connection in a transaction that holds the commit lock. Commits once
/// through <see cref="PostgresCommitter.CommitInTurnAsync"/>; disposing it without a commit rolls back
/// (nothing was written) and returns the connection, which releases the lock.
/// </summary>
internal sealed class PostgresWriteTurn(PostgresCommitter committer, NpgsqlConnection connection, NpgsqlTransaction npgsqlTransaction, SharedChanges changes)
    : ISharedWriteTurn
{
    private int _ended;

    public SharedChanges Changes { get; } = changes;

    public async Task<IReadOnlyList<long>> CommitAsync(StoreTransaction transaction, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(transaction);
        if (Interlocked.Exchange(ref _ended, 1) != 0)
        {
            throw new InvalidOperationException("This write turn has already ended; begin a new one.");
        }

        try
        {
            return await committer.CommitInTurnAsync(connection, npgsqlTransaction, transaction, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            await ReleaseAsync(connection, npgsqlTransaction).ConfigureAwait(false);
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _ended, 1) == 0)
        {
            await ReleaseAsync(connection, npgsqlTransaction).ConfigureAwait(false);
        }
    }

    /// <summary>Rolls back what was not committed and returns the connection; never throws (the connection may be dead).</summary>
    internal static async Task ReleaseAsync(NpgsqlConnection? connection, NpgsqlTransaction? transaction)
    {
        try
        {
            if (transaction is not null)
            {
                await transaction.DisposeAsync().ConfigureAwait(false);
            }
        }
        catch (Exception exception) when (exception is NpgsqlException or InvalidOperationException or IOException or ObjectDisposedException)
        {
            // A broken connection cannot roll back, and needs not: the server ends its transaction itself.
        }
        finally
        {
            if (connection is not null)
            {
                await connection.DisposeAsync().ConfigureAwait(false);
            }
        }
    }
}
