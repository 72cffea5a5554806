using Microsoft.Data.Sqlite;

namespace TinyCdp.Storage.Sqlite;

/// <summary>
/// One prepared command of a commit, reused for every row of its kind: the SQL is compiled once and
/// the parameters are created once, each row only assigns their values by position and executes.
/// </summary>
/// <remarks>
/// Parameter names carry their <c>@</c> prefix so that Microsoft.Data.Sqlite finds each one with a single
/// lookup (an unprefixed name costs a failed lookup and three prefixed ones on every execution). A null
/// value is stored as SQL NULL. Execution is synchronous (Microsoft.Data.Sqlite's asynchronous methods are
/// anyway); the cancellation token is checked before each execution, as the asynchronous path did.
/// </remarks>
internal sealed class SqliteStatement : IDisposable
{
    private readonly SqliteCommand _command;
    private readonly SqliteParameter[] _parameters;
    private readonly CancellationToken _cancellationToken;

    public SqliteStatement(
        SqliteConnection connection, SqliteTransaction transaction, string sql, IReadOnlyList<string> parameterNames, CancellationToken cancellationToken)
    {
        _cancellationToken = cancellationToken;
        _command = connection.CreateCommand();
        try
        {
            _command.Transaction = transaction;
#pragma warning disable CA2100 // The SQL is the store's own constant text (or built from constant pieces); values go through parameters.
            _command.CommandText = sql;
#pragma warning restore CA2100
            _parameters = new SqliteParameter[parameterNames.Count];
            for (var i = 0; i < _parameters.Length; i++)
            {
                _parameters[i] = _command.Parameters.Add(new SqliteParameter(parameterNames[i], DBNull.Value));
            }

            _command.Prepare();
        }
        catch
        {
            _command.Dispose();
            throw;
        }
    }

    /// <summary>Sets the value of the parameter at <paramref name="index"/> (in the order of the names given).</summary>
    public void Set(int index, object? value) => _parameters[index].Value = value ?? DBNull.Value;

    /// <summary>Runs the statement with the values set; returns the number of rows changed.</summary>
    public int Execute()
    {
        _cancellationToken.ThrowIfCancellationRequested();
        return _command.ExecuteNonQuery();
    }

    /// <summary>Runs the statement and returns the first column of its first row (null when there is no row or it holds NULL).</summary>
    public object? ExecuteScalar()
    {
        _cancellationToken.ThrowIfCancellationRequested();
        var value = _command.ExecuteScalar();
        return value is DBNull ? null : value;
    }

    /// <summary>Runs the statement and returns the first column of every row.</summary>
    public List<T> ExecuteColumn<T>()
    {
        _cancellationToken.ThrowIfCancellationRequested();
        var values = new List<T>();
        using var reader = _command.ExecuteReader();
        while (reader.Read())
        {
            values.Add(reader.GetFieldValue<T>(0));
        }

        return values;
    }

    public void Dispose() => _command.Dispose();
}
