namespace TinyCdp.Storage;

/// <summary>
/// How many profiles entered and left a segment within one hour (UTC, by the change's time), as the
/// change feed recorded them. Stores keep these counts as they append changes, so a segment's size
/// and its history never need a scan of memberships or events.
/// </summary>
/// <param name="Segment">The segment key.</param>
/// <param name="Hour">The start of the hour.</param>
/// <param name="Entered">Entries recorded in that hour.</param>
/// <param name="Exited">Exits recorded in that hour.</param>
public sealed record StoredSegmentSizeChange(string Segment, DateTimeOffset Hour, long Entered, long Exited)
{
    /// <summary>The start of the UTC hour an instant falls in: the bucket a change at that instant counts in.</summary>
    public static DateTimeOffset HourOf(DateTimeOffset at)
    {
        var utc = at.ToUniversalTime();
        return new DateTimeOffset(utc.Year, utc.Month, utc.Day, utc.Hour, 0, 0, TimeSpan.Zero);
    }

    /// <summary>
    /// The changes counted per segment and hour, in order of first appearance: what a store adds to its
    /// kept counts when it appends <paramref name="changes"/> (one row per key, so one upsert per row).
    /// </summary>
    public static IReadOnlyList<StoredSegmentSizeChange> Tally(IReadOnlyList<StoredChange> changes)
    {
        ArgumentNullException.ThrowIfNull(changes);
        var tally = new Dictionary<(string Segment, DateTimeOffset Hour), (long Entered, long Exited)>();
        var order = new List<(string Segment, DateTimeOffset Hour)>();
        foreach (var change in changes)
        {
            var key = (change.Segment, HourOf(change.At));
            if (!tally.TryGetValue(key, out var counts))
            {
                order.Add(key);
            }

            tally[key] = change.Entered ? (counts.Entered + 1, counts.Exited) : (counts.Entered, counts.Exited + 1);
        }

        return [.. order.Select(key => new StoredSegmentSizeChange(key.Segment, key.Hour, tally[key].Entered, tally[key].Exited))];
    }
}
