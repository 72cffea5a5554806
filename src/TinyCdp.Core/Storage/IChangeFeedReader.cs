namespace TinyCdp.Storage;

/// <summary>The membership change feed, read by cursor.</summary>
public interface IChangeFeedReader
{
    /// <summary>Change feed entries with a cursor greater than <paramref name="after"/>, oldest first.</summary>
    Task<IReadOnlyList<StoredChange>> ReadChangesAsync(long after, int limit, CancellationToken cancellationToken = default);
}
