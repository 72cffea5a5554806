using System.Globalization;

namespace TinyCdp.Storage.Postgres;

/// <summary>
/// The monthly partitions of <c>events</c> (by <c>received_at</c>, UTC): their names, bounds, and which
/// ones this process knows to exist, so a commit creates a partition only the first time it needs it.
/// </summary>
/// <remarks>
/// Months from <see cref="FirstYear"/> to <see cref="LastYear"/> get a partition of their own, named
/// <c>events_yYYYYmMM</c> and bounded by <c>[first instant of the month, first instant of the next)</c>;
/// anything outside (a clock gone wrong) lands in <c>events_default</c>, which therefore never holds a
/// row of a month that may later get a partition (PostgreSQL would refuse to create it). Dropping or
/// detaching a past month's partition is safe; dropping the current month's while processes run is not
/// (they believe it exists and its rows would go to the default partition).
/// </remarks>
internal sealed class EventPartitions
{
    public const int FirstYear = 2000;
    public const int LastYear = 2199;

    private readonly Lock _gate = new();
    private readonly HashSet<int> _known = [];

    /// <summary>The month's number (months since year 0), or null when it goes to the default partition.</summary>
    public static int? Month(DateTime utc) =>
        utc.Year is >= FirstYear and <= LastYear ? (utc.Year * 12) + utc.Month - 1 : null;

    public static string Name(int month) =>
        string.Create(CultureInfo.InvariantCulture, $"events_y{month / 12:D4}m{(month % 12) + 1:D2}");

    public static DateTime Start(int month) => new(month / 12, (month % 12) + 1, 1, 0, 0, 0, DateTimeKind.Utc);

    /// <summary>Creates the month's partition unless it exists (its indexes come from the parent's).</summary>
    public static string CreateStatement(int month) =>
        string.Create(CultureInfo.InvariantCulture,
            $"CREATE TABLE IF NOT EXISTS {Name(month)} PARTITION OF events FOR VALUES FROM ('{Start(month):yyyy-MM-dd} 00:00:00+00') TO ('{Start(month + 1):yyyy-MM-dd} 00:00:00+00')");

    /// <summary>The months among <paramref name="months"/> not known to have a partition yet.</summary>
    public List<int> Missing(IEnumerable<int> months)
    {
        lock (_gate)
        {
            return [.. months.Where(month => !_known.Contains(month))];
        }
    }

    /// <summary>Records months whose partitions exist (called once the commit that created them committed).</summary>
    public void Exist(IEnumerable<int> months)
    {
        lock (_gate)
        {
            _known.UnionWith(months);
        }
    }
}
