namespace TinyCdp.Storage;

/// <summary>The membership change feed, read by cursor.</summary>
public interface IChangeFeedReader
{
    /// <summary>Change feed entries with a cursor greater than <paramref name="after"/>, oldest first.</summary>
    Task<IReadOnlyList<StoredChange>> ReadChangesAsync(long after, int limit, CancellationToken cancellationToken = default);

    /// <summary>
    /// Each segment's size as the change feed counts it: entries minus exits of every change ever
    /// appended (deleting a profile appends its exits, so it counts). Kept as changes are appended,
    /// never computed by a scan. Segments without any change are absent.
    /// </summary>
    Task<IReadOnlyDictionary<string, long>> GetSegmentSizesAsync(CancellationToken cancellationToken = default);

    /// <summary>A segment's entries and exits per hour (see <see cref="StoredSegmentSizeChange"/>), oldest first; hours without a change are absent.</summary>
    Task<IReadOnlyList<StoredSegmentSizeChange>> GetSegmentSizeHistoryAsync(string segment, CancellationToken cancellationToken = default);
}
