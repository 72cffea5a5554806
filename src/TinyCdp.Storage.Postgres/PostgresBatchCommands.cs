using Npgsql;
using static TinyCdp.Storage.Postgres.PostgresCodes;

namespace TinyCdp.Storage.Postgres;

/// <summary>
/// Commands of a commit's batch and their typed positional parameters: single values, and one array per
/// column for <c>unnest(...)</c>.
/// </summary>
internal static class PostgresBatchCommands
{
    /// <summary>Appends a command to the batch.</summary>
    public static void Add(NpgsqlBatch batch, string sql, params NpgsqlParameter[] parameters)
    {
        var command = new NpgsqlBatchCommand(sql);
        command.Parameters.AddRange(parameters);
        batch.BatchCommands.Add(command);
    }

    public static NpgsqlParameter<T> Value<T>(T value) => new() { TypedValue = value };

    public static NpgsqlParameter<TValue[]> Array<TRow, TValue>(IReadOnlyList<TRow> rows, Func<TRow, TValue> select)
    {
        var values = new TValue[rows.Count];
        for (var i = 0; i < values.Length; i++)
        {
            values[i] = select(rows[i]);
        }

        return Value(values);
    }

    /// <summary>A text column, each value as PostgreSQL can take it (<see cref="PostgresCodes.NullableText"/>).</summary>
    public static NpgsqlParameter<string?[]> Texts<TRow>(IReadOnlyList<TRow> rows, Func<TRow, string?> select) =>
        Array(rows, row => NullableText(select(row)));
}
