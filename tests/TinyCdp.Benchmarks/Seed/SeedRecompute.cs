using System.Globalization;
using Microsoft.Data.Sqlite;

namespace TinyCdp.Benchmarks.Seed;

/// <summary>
/// A re-creation, on SQLite, of how the original TinyCDP (TypeScript on Encore and PostgreSQL)
/// computes traits on every track: its ingest handler inserts the event, then its trait computer
/// asks for the user's distinct event names and, for each name, runs eight queries (count over 7,
/// 14 and 30 days, distinct days over 7, 14 and 30 days, first and last event), then two more for
/// the user's first and last event over all names. Same tables and indexes as the seed's migration
/// (<c>events(id, user_id, ts, name, props)</c>, <c>events_user_ts</c>, <c>events_name_ts</c>).
/// </summary>
/// <remarks>
/// Choices that favour the seed: statements are prepared once and reused (the seed builds each
/// query per call), timestamps are integers (milliseconds), the tables are ANALYZEd so that SQLite
/// uses the per-user index as PostgreSQL's planner would, and what the seed does around the
/// queries is left out (its identity lookups, evaluating the trait expressions, upserting every
/// trait and then every segment in two more transactions).
/// </remarks>
internal sealed class SeedRecompute : IDisposable
{
    private static readonly TimeSpan Day = TimeSpan.FromDays(1);

    private readonly SqliteConnection _connection;
    private readonly SqliteCommand _insert;
    private readonly SqliteCommand _names;
    private readonly SqliteCommand[] _perName;
    private readonly SqliteCommand _userFirst;
    private readonly SqliteCommand _userLast;
    private long _lastSeeded;

    /// <summary>One event of a user's history.</summary>
    public readonly record struct HistoryEvent(int User, string UserId, string Name, DateTimeOffset Time);

    public SeedRecompute(string path)
    {
        _connection = new SqliteConnection($"Data Source={path}");
        _connection.Open();

        // The same durability as TinyCdp's SQLite store: WAL, flushed at every commit.
        Execute("PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;");
        Execute("""
            CREATE TABLE users (id TEXT PRIMARY KEY, created_at INTEGER NOT NULL);
            CREATE TABLE events (id INTEGER PRIMARY KEY, user_id TEXT NOT NULL REFERENCES users(id), ts INTEGER NOT NULL, name TEXT NOT NULL, props TEXT);
            CREATE INDEX events_user_ts ON events (user_id, ts DESC);
            CREATE INDEX events_name_ts ON events (name, ts DESC);
            """);

        _insert = Command("INSERT INTO events (user_id, ts, name, props) VALUES ($user, $ts, $name, NULL)", "$user", "$ts", "$name");
        _names = Command("SELECT DISTINCT name FROM events WHERE user_id = $user", "$user");
        const string Where = "FROM events WHERE user_id = $user AND name = $name";
        _perName =
        [
            Command($"SELECT COUNT(*) {Where} AND ts >= $since", "$user", "$name", "$since"),
            Command($"SELECT COUNT(*) {Where} AND ts >= $since", "$user", "$name", "$since"),
            Command($"SELECT COUNT(*) {Where} AND ts >= $since", "$user", "$name", "$since"),
            Command($"SELECT COUNT(DISTINCT DATE(ts / 1000, 'unixepoch')) {Where} AND ts >= $since", "$user", "$name", "$since"),
            Command($"SELECT COUNT(DISTINCT DATE(ts / 1000, 'unixepoch')) {Where} AND ts >= $since", "$user", "$name", "$since"),
            Command($"SELECT COUNT(DISTINCT DATE(ts / 1000, 'unixepoch')) {Where} AND ts >= $since", "$user", "$name", "$since"),
            Command($"SELECT ts {Where} ORDER BY ts ASC LIMIT 1", "$user", "$name"),
            Command($"SELECT ts {Where} ORDER BY ts DESC LIMIT 1", "$user", "$name"),
        ];
        _userFirst = Command("SELECT ts FROM events WHERE user_id = $user ORDER BY ts ASC LIMIT 1", "$user");
        _userLast = Command("SELECT ts FROM events WHERE user_id = $user ORDER BY ts DESC LIMIT 1", "$user");
    }

    /// <summary>The query plan SQLite chose for the per-name count (for the record: it must use <c>events_user_ts</c>).</summary>
    public string CountPlan { get; private set; } = "";

    /// <summary>Inserts the history in one transaction and analyzes the tables.</summary>
    public void Load(int users, IEnumerable<HistoryEvent> history)
    {
        using (var transaction = _connection.BeginTransaction())
        {
            using var user = Command("INSERT INTO users (id, created_at) VALUES ($user, 0)", "$user");
            user.Transaction = transaction;
            for (var u = 0; u < users; u++)
            {
                user.Parameters[0].Value = $"user-{u}";
                user.ExecuteNonQuery();
            }

            _insert.Transaction = transaction;
            foreach (var e in history)
            {
                Bind(_insert, e.UserId, e.Time.ToUnixTimeMilliseconds(), e.Name);
                _insert.ExecuteNonQuery();
            }

            transaction.Commit();
            _insert.Transaction = null;
        }

        Execute("ANALYZE");
        using var plan = _connection.CreateCommand();
        plan.CommandText = "EXPLAIN QUERY PLAN SELECT COUNT(*) FROM events WHERE user_id = 'user-0' AND name = 'purchase' AND ts >= 0";
        using var reader = plan.ExecuteReader();
        while (reader.Read())
        {
            CountPlan += reader.GetString(3) + "; ";
        }

        if (!CountPlan.Contains("events_user_ts", StringComparison.Ordinal))
        {
            throw new InvalidOperationException($"SQLite did not choose the per-user index: {CountPlan}");
        }

        _lastSeeded = Scalar("SELECT MAX(id) FROM events");
    }

    /// <summary>Deletes every event tracked since <see cref="Load"/>.</summary>
    public void RemoveTracked()
    {
        using var delete = Command("DELETE FROM events WHERE id > $id", "$id");
        delete.Parameters[0].Value = _lastSeeded;
        delete.ExecuteNonQuery();
    }

    /// <summary>The seed's track: insert (its own commit), then every metric query; returns a checksum of the metrics.</summary>
    public long Track(string userId, string name, DateTimeOffset now)
    {
        var nowMs = now.ToUnixTimeMilliseconds();
        Bind(_insert, userId, nowMs, name);
        _insert.ExecuteNonQuery();
        return Recompute(userId, now);
    }

    /// <summary>Every metric query of the seed's trait computer for one user; returns a checksum of the metrics.</summary>
    public long Recompute(string userId, DateTimeOffset now)
    {
        var nowMs = now.ToUnixTimeMilliseconds();
        var names = new List<string>();
        _names.Parameters[0].Value = userId;
        using (var reader = _names.ExecuteReader())
        {
            while (reader.Read())
            {
                names.Add(reader.GetString(0));
            }
        }

        long checksum = 0;
        long[] windows = [7, 14, 30, 7, 14, 30];
        foreach (var eventName in names)
        {
            for (var q = 0; q < _perName.Length; q++)
            {
                var command = _perName[q];
                command.Parameters[0].Value = userId;
                command.Parameters[1].Value = eventName;
                if (q < windows.Length)
                {
                    command.Parameters[2].Value = nowMs - (long)(windows[q] * Day.TotalMilliseconds);
                    checksum += (long)command.ExecuteScalar()!;
                }
                else
                {
                    // First and last seen, in whole days ago.
                    checksum += (nowMs - (long)command.ExecuteScalar()!) / (long)Day.TotalMilliseconds;
                }
            }
        }

        _userFirst.Parameters[0].Value = userId;
        _userLast.Parameters[0].Value = userId;
        checksum += (nowMs - (long)_userFirst.ExecuteScalar()!) / (long)Day.TotalMilliseconds;
        checksum += (nowMs - (long)_userLast.ExecuteScalar()!) / 60_000;
        return checksum;
    }

    public void Dispose()
    {
        foreach (var command in _perName)
        {
            command.Dispose();
        }

        _insert.Dispose();
        _names.Dispose();
        _userFirst.Dispose();
        _userLast.Dispose();
        _connection.Dispose();
    }

    private static void Bind(SqliteCommand command, string userId, long ts, string name)
    {
        command.Parameters[0].Value = userId;
        command.Parameters[1].Value = ts;
        command.Parameters[2].Value = name;
    }

    private SqliteCommand Command(string sql, params string[] parameters)
    {
        var command = _connection.CreateCommand();
        command.CommandText = sql;
        foreach (var parameter in parameters)
        {
            command.Parameters.Add(new SqliteParameter(parameter, null));
        }

        return command;
    }

    private void Execute(string sql)
    {
        using var command = _connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    private long Scalar(string sql)
    {
        using var command = _connection.CreateCommand();
        command.CommandText = sql;
        return Convert.ToInt64(command.ExecuteScalar(), CultureInfo.InvariantCulture);
    }
}
