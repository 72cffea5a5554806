using System.Text;
using Microsoft.Data.Sqlite;
using SQLitePCL;

namespace TinyCdp.Storage.Sqlite;

/// <summary>
/// One prepared statement (or script of statements) of a commit, reused for every row of its kind,
/// straight on the connection's SQLite handle: the SQL is compiled once, each parameter's position is
/// looked up once, and each row only binds its values by position, steps and resets.
/// </summary>
/// <remarks>
/// <para>
/// This is what <c>SqliteCommand</c> does per execution minus its per-execution overhead (a data reader,
/// a name lookup and a UTF-8 copy of the name for every parameter, the boxing of every value), which
/// dominated a commit. The values are bound as Microsoft.Data.Sqlite binds them (64-bit integers, UTF-8
/// text, blobs, NULL for null) and failures raise the same <see cref="SqliteException"/>
/// (<see cref="SqliteException.ThrowExceptionForRC"/>, as Microsoft.Data.Sqlite does).
/// </para>
/// <para>
/// Only for use inside the write transaction (which holds the write lock, so SQLite never answers busy),
/// on one thread, and disposed before the transaction ends. Values stay bound until replaced: set every
/// parameter for every row. The cancellation token is checked before each execution.
/// </para>
/// </remarks>
internal sealed class SqliteStatement : IDisposable
{
    private readonly sqlite3 _database;
    private readonly List<sqlite3_stmt> _statements = [];

    // For each parameter (in the order of the names given), its position in each statement (0: absent).
    private readonly int[][] _positions;
    private readonly CancellationToken _cancellationToken;
    private byte[] _utf8 = new byte[256];

    public SqliteStatement(SqliteConnection connection, string sql, IReadOnlyList<string> parameterNames, CancellationToken cancellationToken)
    {
        _database = connection.Handle ?? throw new InvalidOperationException("The connection is not open.");
        _cancellationToken = cancellationToken;
        try
        {
            var rest = sql;
            while (!string.IsNullOrWhiteSpace(rest))
            {
                var rc = raw.sqlite3_prepare_v2(_database, rest, out var statement, out var tail);
                if (rc != raw.SQLITE_OK)
                {
                    statement?.Dispose();
                    SqliteException.ThrowExceptionForRC(rc, _database);
                }

                if (statement is null || statement.IsInvalid)
                {
                    statement?.Dispose();
                }
                else
                {
                    _statements.Add(statement);
                }

                rest = tail;
            }

            _positions = new int[parameterNames.Count][];
            for (var parameter = 0; parameter < parameterNames.Count; parameter++)
            {
                _positions[parameter] = new int[_statements.Count];
                for (var i = 0; i < _statements.Count; i++)
                {
                    _positions[parameter][i] = raw.sqlite3_bind_parameter_index(_statements[i], parameterNames[parameter]);
                }
            }

            // Every parameter of the SQL must be one of the names given (else it would silently stay NULL).
            for (var i = 0; i < _statements.Count; i++)
            {
                var count = raw.sqlite3_bind_parameter_count(_statements[i]);
                for (var position = 1; position <= count; position++)
                {
                    if (!_positions.Any(positions => positions[i] == position))
                    {
                        throw new InvalidOperationException($"The statement's parameter {position} is not among the names given: {sql}");
                    }
                }
            }
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    public void SetInt64(int parameter, long value)
    {
        var positions = _positions[parameter];
        for (var i = 0; i < positions.Length; i++)
        {
            if (positions[i] != 0)
            {
                Check(raw.sqlite3_bind_int64(_statements[i], positions[i], value));
            }
        }
    }

    public void SetInt64(int parameter, long? value)
    {
        if (value is { } number)
        {
            SetInt64(parameter, number);
        }
        else
        {
            SetNull(parameter);
        }
    }

    public void SetBoolean(int parameter, bool value) => SetInt64(parameter, value ? 1L : 0L);

    /// <summary>Binds UTF-8 text (encoded as <see cref="Encoding.UTF8"/> does, like Microsoft.Data.Sqlite), or NULL.</summary>
    public void SetText(int parameter, string? value)
    {
        if (value is null)
        {
            SetNull(parameter);
            return;
        }

        var maximum = Encoding.UTF8.GetMaxByteCount(value.Length);
        if (_utf8.Length < maximum)
        {
            _utf8 = new byte[Math.Max(maximum, _utf8.Length * 2)];
        }

        var length = Encoding.UTF8.GetBytes(value, _utf8);
        var positions = _positions[parameter];
        for (var i = 0; i < positions.Length; i++)
        {
            if (positions[i] != 0)
            {
                // SQLite copies the bytes (SQLITE_TRANSIENT): the buffer is free again on return.
                Check(raw.sqlite3_bind_text(_statements[i], positions[i], _utf8.AsSpan(0, length)));
            }
        }
    }

    /// <summary>Binds an id as its 16-byte blob (<see cref="SqliteCodes.Id(Guid)"/>), or NULL.</summary>
    public void SetId(int parameter, Guid? value)
    {
        if (value is not { } id)
        {
            SetNull(parameter);
            return;
        }

        Span<byte> bytes = stackalloc byte[16];
        if (!id.TryWriteBytes(bytes, bigEndian: true, out _))
        {
            throw new InvalidOperationException("A Guid did not fit in 16 bytes.");
        }

        SetBlob(parameter, bytes);
    }

    /// <summary>Binds a blob.</summary>
    public void SetBlob(int parameter, ReadOnlySpan<byte> value)
    {
        var positions = _positions[parameter];
        for (var i = 0; i < positions.Length; i++)
        {
            if (positions[i] != 0)
            {
                Check(raw.sqlite3_bind_blob(_statements[i], positions[i], value));
            }
        }
    }

    public void SetNull(int parameter)
    {
        var positions = _positions[parameter];
        for (var i = 0; i < positions.Length; i++)
        {
            if (positions[i] != 0)
            {
                Check(raw.sqlite3_bind_null(_statements[i], positions[i]));
            }
        }
    }

    /// <summary>Runs the statements in order with the values bound, each to completion.</summary>
    public void Execute()
    {
        _cancellationToken.ThrowIfCancellationRequested();
        foreach (var statement in _statements)
        {
            Run(statement, static _ => { });
        }
    }

    /// <summary>Runs the (single) statement and returns the 64-bit integer in the first column of its first row.</summary>
    public long ExecuteInt64()
    {
        _cancellationToken.ThrowIfCancellationRequested();
        long? value = null;
        Run(_statements[0], statement => value ??= raw.sqlite3_column_int64(statement, 0));
        return value ?? throw new InvalidOperationException("The statement returned no row.");
    }

    /// <summary>Runs the (single) statement and returns the blob in the first column of each row (null for NULL).</summary>
    public List<byte[]?> ExecuteBlobs()
    {
        _cancellationToken.ThrowIfCancellationRequested();
        var values = new List<byte[]?>();
        Run(_statements[0], statement => values.Add(
            raw.sqlite3_column_type(statement, 0) == raw.SQLITE_NULL ? null : raw.sqlite3_column_blob(statement, 0).ToArray()));
        return values;
    }

    public void Dispose()
    {
        foreach (var statement in _statements)
        {
            statement.Dispose();
        }

        _statements.Clear();
    }

    private void Run(sqlite3_stmt statement, Action<sqlite3_stmt> row)
    {
        try
        {
            int rc;
            while ((rc = raw.sqlite3_step(statement)) == raw.SQLITE_ROW)
            {
                row(statement);
            }

            if (rc != raw.SQLITE_DONE)
            {
                SqliteException.ThrowExceptionForRC(rc, _database);
            }
        }
        finally
        {
            raw.sqlite3_reset(statement);
        }
    }

    private void Check(int rc) => SqliteException.ThrowExceptionForRC(rc, _database);
}
